// Conv2D forward, TensorFlow-exact: tf.nn.conv2d plus Keras's bias and activation.
#pragma once

#include <string_view>

#include "strider/core/tensor.hpp"
#include "strider/geometry/conv2d_geometry.hpp"
#include "strider/ops/activation.hpp"

namespace strider {

struct Conv2DOptions {
  Conv2DParams params;
  Activation activation = Activation::kLinear;
  // Name of the kernel to run ("reference", ...); empty picks the best that supports the problem.
  std::string_view kernel;
};

// output[n, oh, ow, f] = act(bias[f] + sum over (kh, kw, c) of
//     input[n, height.tap(oh, kh), width.tap(ow, kw), g * Cg + c] * filter[kh, kw, c, f])
// with g = f / (F / groups), Cg = C / groups, and taps in the padding contributing zero.
// input NHWC, filter HWIO [kh, kw, C / groups, F], bias [F] or nullptr; output NHWC.
// Stride > 1 together with dilation > 1 is computed, as tf.nn.conv2d does (keras.layers.Conv2D and
// tf.nn.convolution refuse the combination): the result is the strided sampling of the dilated
// convolution. Throws InvalidArgument / ShapeError from geometry, and ShapeError for a bias that
// is not rank 1 of length F.
Tensor conv2d(const Tensor& input, const Tensor& filter, const Tensor* bias,
              const Conv2DOptions& options = {});

}  // namespace strider
