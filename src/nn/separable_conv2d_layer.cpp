#include "strider/nn/separable_conv2d_layer.hpp"

#include <fmt/format.h>

#include <utility>

#include "nn/layer_util.hpp"
#include "strider/core/checked.hpp"
#include "strider/core/error.hpp"
#include "strider/nn/initializers.hpp"
#include "strider/ops/depthwise_conv2d.hpp"

namespace strider::nn {
namespace {

constexpr std::string_view kName = "SeparableConv2D";

void require_channels(std::int64_t in_channels) {
  if (in_channels < 1) {
    throw ShapeError(fmt::format("{}: input channels must be >= 1, got {}", kName, in_channels));
  }
}

}  // namespace

SeparableConv2D::SeparableConv2D(const SeparableConv2DConfig& config) : config_(config) {
  detail::require_positive(kName, "filters", config.filters);
  detail::require_window(kName, config.kernel_size, config.strides, config.dilation_rate,
                         config.padding);
  detail::require_positive(kName, "depth_multiplier", config.depth_multiplier);
}

Shape SeparableConv2D::depthwise_filter_shape(std::int64_t in_channels) const {
  require_channels(in_channels);
  return {config_.kernel_size.h, config_.kernel_size.w, in_channels, config_.depth_multiplier};
}

Shape SeparableConv2D::pointwise_filter_shape(std::int64_t in_channels) const {
  require_channels(in_channels);
  return {1, 1,
          checked_mul(in_channels, config_.depth_multiplier, "SeparableConv2D: depthwise channels"),
          config_.filters};
}

void SeparableConv2D::build(std::int64_t in_channels) {
  Tensor depthwise = glorot_uniform(depthwise_filter_shape(in_channels), config_.seed);
  Tensor pointwise = glorot_uniform(pointwise_filter_shape(in_channels), config_.seed + 1);
  bias_ = detail::zero_bias(config_.use_bias, config_.filters);
  depthwise_ = std::move(depthwise);
  pointwise_ = std::move(pointwise);
  in_channels_ = in_channels;
}

std::int64_t SeparableConv2D::param_count(std::int64_t in_channels) const {
  constexpr std::string_view what = "SeparableConv2D: parameter count";
  const std::int64_t depthwise = checked_product(depthwise_filter_shape(in_channels), what);
  const std::int64_t pointwise = checked_product(pointwise_filter_shape(in_channels), what);
  return checked_add(checked_add(depthwise, pointwise, what),
                     config_.use_bias ? config_.filters : 0, what);
}

std::int64_t SeparableConv2D::param_count() const {
  detail::require_built(kName, depthwise_);
  return param_count(in_channels_);
}

const Tensor& SeparableConv2D::depthwise_filter() const {
  return detail::require_built(kName, depthwise_);
}

const Tensor& SeparableConv2D::pointwise_filter() const {
  return detail::require_built(kName, pointwise_);
}

void SeparableConv2D::set_weights(Tensor depthwise, Tensor pointwise, std::optional<Tensor> bias) {
  const std::int64_t in_channels =
      built() ? in_channels_ : (depthwise.rank() == 4 ? depthwise.dim(2) : 0);
  detail::require_shape(kName, "depthwise filter", depthwise, depthwise_filter_shape(in_channels));
  detail::require_shape(kName, "pointwise filter", pointwise, pointwise_filter_shape(in_channels));
  detail::require_bias(kName, config_.use_bias, bias, config_.filters);
  depthwise_ = std::move(depthwise);
  pointwise_ = std::move(pointwise);
  bias_ = std::move(bias);
  in_channels_ = in_channels;
}

Tensor SeparableConv2D::operator()(const Tensor& input) {
  detail::require_rank(kName, input.shape(), 4, "NHWC");
  if (!built()) build(input.dim(3));
  return separable_conv2d(input, *depthwise_, *pointwise_, bias(),
                          detail::depthwise_options(config_));
}

Shape SeparableConv2D::output_shape(const Shape& input_shape) const {
  detail::require_rank(kName, input_shape, 4, "NHWC");
  if (built()) detail::require_built_channels(kName, input_shape[3], in_channels_);
  Shape output = Conv2DGeometry::make_depthwise(input_shape, depthwise_filter_shape(input_shape[3]),
                                                detail::depthwise_params(config_), kName)
                     .output_shape();
  output[3] = config_.filters;
  return output;
}

}  // namespace strider::nn
