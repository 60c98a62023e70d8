#include "strider/ops/depthwise_conv2d.hpp"

#include "kernels/depthwise/depthwise_kernel.hpp"
#include "ops/checks.hpp"
#include "strider/ops/conv2d.hpp"

namespace strider {
namespace {

Conv2DParams grouped_params(const DepthwiseConv2DOptions& o) {
  return {o.strides, o.dilation, o.padding, 1};
}

// Validated as a depthwise op, so that errors speak of [kh, kw, in, multiplier].
Conv2DGeometry depthwise_geometry(const Tensor& input, const Tensor& filter, const Tensor* bias,
                                  const DepthwiseConv2DOptions& options) {
  Conv2DGeometry g =
      Conv2DGeometry::make_depthwise(input.shape(), filter.shape(), grouped_params(options));
  check_bias(bias, g.out_channels, "depthwise_conv2d", "output channels (in * multiplier)");
  return g;
}

void run_depthwise(const Conv2DGeometry& g, const Tensor& input, const Tensor& filter,
                   const Tensor* bias, Tensor& output, const DepthwiseConv2DOptions& options) {
  const kernels::DepthwiseKernel& kernel = kernels::select_depthwise_kernel(g, options.kernel);
  if (!output.empty()) {
    kernel.run({g, input.data(), filter.data(), bias != nullptr ? bias->data() : nullptr,
                output.data(), options.activation});
  }
}

}  // namespace

std::string_view depthwise_conv2d_kernel_name(const Shape& input_shape, const Shape& filter_shape,
                                              const DepthwiseConv2DOptions& options) {
  const Conv2DGeometry g =
      Conv2DGeometry::make_depthwise(input_shape, filter_shape, grouped_params(options));
  return kernels::select_depthwise_kernel(g, options.kernel).name;
}

Tensor depthwise_conv2d(const Tensor& input, const Tensor& filter, const Tensor* bias,
                        const DepthwiseConv2DOptions& options) {
  const Conv2DGeometry g = depthwise_geometry(input, filter, bias, options);
  Tensor output = Tensor::uninitialized(g.output_shape());
  run_depthwise(g, input, filter, bias, output, options);
  return output;
}

void depthwise_conv2d(const Tensor& input, const Tensor& filter, const Tensor* bias, Tensor& output,
                      const DepthwiseConv2DOptions& options) {
  const Conv2DGeometry g = depthwise_geometry(input, filter, bias, options);
  check_output(input, output, g.output_shape(), "depthwise_conv2d");
  run_depthwise(g, input, filter, bias, output, options);
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
