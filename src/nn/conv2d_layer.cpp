#include "strider/nn/conv2d_layer.hpp"

#include <fmt/format.h>

#include <cmath>

#include "strider/core/checked.hpp"
#include "strider/core/error.hpp"
#include "strider/core/random.hpp"
#include "strider/ops/conv2d.hpp"

namespace strider::nn {
namespace {

void require_positive(std::int64_t value, const char* what) {
  if (value < 1) throw InvalidArgument(fmt::format("Conv2D: {} must be >= 1, got {}", what, value));
}

}  // namespace

Conv2D::Conv2D(const Conv2DConfig& config) : config_(config) {
  require_positive(config.filters, "filters");
  require_positive(config.kernel_size.h, "kernel_size[0]");
  require_positive(config.kernel_size.w, "kernel_size[1]");
  require_positive(config.strides.h, "strides[0]");
  require_positive(config.strides.w, "strides[1]");
  require_positive(config.dilation_rate.h, "dilation_rate[0]");
  require_positive(config.dilation_rate.w, "dilation_rate[1]");
  require_positive(config.groups, "groups");
  if (config.filters % config.groups != 0) {
    throw InvalidArgument(fmt::format("Conv2D: groups ({}) must divide filters ({})",
                                      config.groups, config.filters));
  }
}

Shape Conv2D::filter_shape(std::int64_t in_channels) const {
  if (in_channels < 1 || in_channels % config_.groups != 0) {
    throw ShapeError(fmt::format("Conv2D: groups ({}) must divide the input channels ({})",
                                 config_.groups, in_channels));
  }
  return {config_.kernel_size.h, config_.kernel_size.w, in_channels / config_.groups,
          config_.filters};
}

void Conv2D::build(std::int64_t in_channels) {
  const Shape shape = filter_shape(in_channels);
  const std::int64_t receptive = checked_mul(shape[0], shape[1], "Conv2D: kernel size");
  const double fan_in = static_cast<double>(checked_mul(receptive, shape[2], "Conv2D: fan_in"));
  const double fan_out = static_cast<double>(checked_mul(receptive, shape[3], "Conv2D: fan_out"));
  const double limit = std::sqrt(6.0 / (fan_in + fan_out));
  Tensor filter(shape);
  Rng rng(config_.seed);
  rng.fill_uniform(filter.values(), -limit, limit);
  filter_ = std::move(filter);
  if (config_.use_bias) {
    bias_ = Tensor(Shape{config_.filters});
  } else {
    bias_.reset();
  }
}

const Tensor& Conv2D::filter() const {
  if (!filter_) throw InvalidArgument("Conv2D: the layer is not built yet (call build or run it)");
  return *filter_;
}

void Conv2D::set_weights(Tensor filter, std::optional<Tensor> bias) {
  if (filter.rank() != 4 || filter.dim(0) != config_.kernel_size.h ||
      filter.dim(1) != config_.kernel_size.w || filter.dim(3) != config_.filters) {
    throw ShapeError(fmt::format("Conv2D: filter must have shape ({}, {}, C/groups, {}), got {}",
                                 config_.kernel_size.h, config_.kernel_size.w, config_.filters,
                                 format_shape(filter.shape())));
  }
  if (config_.use_bias != bias.has_value() ||
      (bias && (bias->rank() != 1 || bias->dim(0) != config_.filters))) {
    throw ShapeError(fmt::format("Conv2D: bias must be {}",
                                 config_.use_bias ? fmt::format("of shape ({},)", config_.filters)
                                                  : std::string("absent (use_bias is false)")));
  }
  filter_ = std::move(filter);
  bias_ = std::move(bias);
}

Tensor Conv2D::operator()(const Tensor& input) {
  if (input.rank() != 4) {
    throw ShapeError(fmt::format("Conv2D: input must be rank 4 (NHWC), got {}",
                                 format_shape(input.shape())));
  }
  if (!built()) build(input.dim(3));
  Conv2DOptions options;
  options.params = {config_.strides, config_.dilation_rate, config_.padding, config_.groups};
  options.activation = config_.activation;
  return conv2d(input, *filter_, bias(), options);
}

Shape Conv2D::output_shape(const Shape& input_shape) const {
  if (input_shape.size() != 4) {
    throw ShapeError(fmt::format("Conv2D: input must be rank 4 (NHWC), got {}",
                                 format_shape(input_shape)));
  }
  const Conv2DParams params{config_.strides, config_.dilation_rate, config_.padding,
                            config_.groups};
  return Conv2DGeometry::make(input_shape, filter_shape(input_shape[3]), params, "Conv2D")
      .output_shape();
}

std::int64_t Conv2D::param_count(std::int64_t in_channels) const {
  const std::int64_t weights = checked_product(filter_shape(in_channels), "Conv2D: parameters");
  return config_.use_bias ? checked_add(weights, config_.filters, "Conv2D: parameters") : weights;
}

std::int64_t Conv2D::param_count() const {
  return param_count(filter().dim(2) * config_.groups);
}

}  // namespace strider::nn
