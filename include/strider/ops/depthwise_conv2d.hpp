// Depthwise and separable convolution, TensorFlow-exact: tf.nn.depthwise_conv2d and Keras's
// SeparableConv2D. Unequal strides (sh != sw), which TensorFlow's CPU kernel refuses, are computed.
#pragma once

#include <string_view>

#include "strider/core/tensor.hpp"
#include "strider/geometry/conv2d_geometry.hpp"
#include "strider/ops/activation.hpp"

namespace strider {

struct DepthwiseConv2DOptions {
  Pair2D strides{1, 1};
  Pair2D dilation{1, 1};
  Padding2D padding = Padding2D::valid();
  Activation activation = Activation::kLinear;
  std::string_view kernel;  // empty: the best kernel that supports the problem
};

// output[n, oh, ow, c * M + m] = act(bias[c * M + m] + sum over (kh, kw) of
//     input[n, height.tap(oh, kh), width.tap(ow, kw), c] * filter[kh, kw, c, m])
// input NHWC [N, H, W, C]; filter [kh, kw, C, M] (M = depth multiplier); bias [C * M] or nullptr.
// Throws like Conv2DGeometry::make_depthwise, and ShapeError for a bias that is not [C * M].
Tensor depthwise_conv2d(const Tensor& input, const Tensor& filter, const Tensor* bias,
                        const DepthwiseConv2DOptions& options = {});
// The same, written into `output`, whose shape must be the output shape (ShapeError otherwise)
// and which must not be `input` (InvalidArgument): no allocation per call, like PyTorch's out=.
void depthwise_conv2d(const Tensor& input, const Tensor& filter, const Tensor* bias, Tensor& output,
                      const DepthwiseConv2DOptions& options = {});

// The name of the kernel depthwise_conv2d runs for these shapes and options (options.kernel when
// it is set and supports them; STRIDER_VERBOSE=1 prints the same). Throws as depthwise_conv2d does.
std::string_view depthwise_conv2d_kernel_name(const Shape& input_shape, const Shape& filter_shape,
                                              const DepthwiseConv2DOptions& options = {});

// Keras SeparableConv2D: depthwise_conv2d (no bias, no activation) followed by a 1x1 conv2d with
// `pointwise` [1, 1, C * M, F], then bias [F] and the activation.
Tensor separable_conv2d(const Tensor& input, const Tensor& depthwise, const Tensor& pointwise,
                        const Tensor* bias, const DepthwiseConv2DOptions& options = {});

}  // namespace strider
