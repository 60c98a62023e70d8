#include "strider/nn/conv2d_transpose_layer.hpp"

#include <fmt/format.h>

#include "nn/layer_util.hpp"
#include "strider/core/error.hpp"
#include "strider/ops/conv2d_transpose.hpp"

namespace strider::nn {
namespace {

constexpr std::string_view kName = "Conv2DTranspose";

void require_output_padding(std::int64_t padding, std::int64_t stride, int axis) {
  if (padding < 0 || padding >= stride) {
    throw InvalidArgument(
        fmt::format("{}: output_padding[{}] must be >= 0 and smaller than strides[{}] ({}), got {}",
                    kName, axis, axis, stride, padding));
  }
}

}  // namespace

Conv2DTranspose::Conv2DTranspose(const Conv2DTransposeConfig& config)
    : FilterLayer(kName, 4, config.use_bias, config.seed), config_(config) {
  detail::require_positive(kName, "filters", config.filters);
  detail::require_window(kName, config.kernel_size, config.strides, config.dilation_rate,
                         config.padding);
  if (config.output_padding) {
    require_output_padding(config.output_padding->h, config.strides.h, 0);
    require_output_padding(config.output_padding->w, config.strides.w, 1);
  }
}

Shape Conv2DTranspose::layout_filter_shape(std::int64_t in_channels) const {
  return {config_.kernel_size.h, config_.kernel_size.w, config_.filters, in_channels};
}

std::int64_t Conv2DTranspose::layout_in_channels(const Shape& filter_shape) const {
  return filter_shape[3];
}

Conv2DTransposeParams Conv2DTranspose::params() const {
  Conv2DTransposeParams p;
  p.strides = config_.strides;
  p.dilation = config_.dilation_rate;
  p.padding = config_.padding;
  p.output_padding = config_.output_padding;
  return p;
}

Tensor Conv2DTranspose::operator()(const Tensor& input) {
  build_for(input, 4, "NHWC");
  return conv2d_transpose(input, filter(), bias(), {params(), config_.activation});
}

Shape Conv2DTranspose::output_shape(const Shape& input_shape) const {
  detail::require_rank(kName, input_shape, 4, "NHWC");
  return Conv2DTransposeGeometry::make(input_shape, filter_shape_for_input(input_shape[3]),
                                       params(), kName)
      .output_shape();
}

}  // namespace strider::nn
