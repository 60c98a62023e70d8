#include "strider/ops/depthwise_conv2d.hpp"

#include "ops/bias.hpp"
#include "strider/ops/conv2d.hpp"

namespace strider {
namespace {

Conv2DParams grouped_params(const DepthwiseConv2DOptions& o) {
  return {o.strides, o.dilation, o.padding, 1};
}

}  // namespace

Tensor depthwise_conv2d(const Tensor& input, const Tensor& filter, const Tensor* bias,
                        const DepthwiseConv2DOptions& options) {
  // Validate as a depthwise op first, so that errors speak of [kh, kw, in, multiplier].
  const Conv2DGeometry g =
      Conv2DGeometry::make_depthwise(input.shape(), filter.shape(), grouped_params(options));
  check_bias(bias, g.out_channels, "depthwise_conv2d", "output channels (in * multiplier)");
  // [kh, kw, C, M] and [kh, kw, 1, C * M] share one memory layout: a grouped conv2d with
  // groups = C computes exactly the depthwise convolution.
  Conv2DOptions conv;
  conv.params = grouped_params(options);
  conv.params.groups = g.groups;
  conv.activation = options.activation;
  conv.kernel = options.kernel;
  return conv2d(input, filter.reshaped(g.filter_shape()), bias, conv);
}

Tensor separable_conv2d(const Tensor& input, const Tensor& depthwise, const Tensor& pointwise,
                        const Tensor* bias, const DepthwiseConv2DOptions& options) {
  DepthwiseConv2DOptions first = options;
  first.activation = Activation::kLinear;
  const Tensor mid = depthwise_conv2d(input, depthwise, nullptr, first);
  Conv2DOptions second;
  second.activation = options.activation;
  return conv2d(mid, pointwise, bias, second);
}

}  // namespace strider
