#include "strider/ops/depthwise_conv2d.hpp"

#include "kernels/depthwise/depthwise_kernel.hpp"
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
  Tensor output = Tensor::uninitialized(g.output_shape());
  const kernels::DepthwiseKernel& kernel = kernels::select_depthwise_kernel(g, options.kernel);
  if (!output.empty()) {
    kernel.run({g, input.data(), filter.data(), bias != nullptr ? bias->data() : nullptr,
                output.data(), options.activation});
  }
  return output;
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
