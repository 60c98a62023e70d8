#include "strider/nn/depthwise_conv2d_layer.hpp"

#include "nn/layer_util.hpp"
#include "strider/core/checked.hpp"
#include "strider/ops/depthwise_conv2d.hpp"

namespace strider::nn {
namespace {

constexpr std::string_view kName = "DepthwiseConv2D";

}  // namespace

DepthwiseConv2D::DepthwiseConv2D(const DepthwiseConv2DConfig& config)
    : FilterLayer(kName, 4, config.use_bias, config.seed), config_(config) {
  detail::require_window(kName, config.kernel_size, config.strides, config.dilation_rate,
                         config.padding);
  detail::require_positive(kName, "depth_multiplier", config.depth_multiplier);
}

Shape DepthwiseConv2D::layout_filter_shape(std::int64_t in_channels) const {
  return {config_.kernel_size.h, config_.kernel_size.w, in_channels, config_.depth_multiplier};
}

std::int64_t DepthwiseConv2D::layout_bias_size(std::int64_t in_channels) const {
  return checked_mul(in_channels, config_.depth_multiplier, "DepthwiseConv2D: output channels");
}

std::int64_t DepthwiseConv2D::layout_in_channels(const Shape& filter_shape) const {
  return filter_shape[2];
}

Tensor DepthwiseConv2D::operator()(const Tensor& input) {
  build_for(input, 4, "NHWC");
  return depthwise_conv2d(input, filter(), bias(), detail::depthwise_options(config_));
}

Shape DepthwiseConv2D::output_shape(const Shape& input_shape) const {
  detail::require_rank(kName, input_shape, 4, "NHWC");
  return Conv2DGeometry::make_depthwise(input_shape, filter_shape_for_input(input_shape[3]),
                                        detail::depthwise_params(config_), kName)
      .output_shape();
}

}  // namespace strider::nn
