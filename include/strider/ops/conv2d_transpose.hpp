// Transposed 2-D convolution, TensorFlow-exact: tf.nn.conv2d_transpose (plus Keras's bias and
// activation). The gradient of conv2d with respect to its input: each input value is scattered
// through the forward windows that geometry defines over the output.
#pragma once

#include "strider/core/tensor.hpp"
#include "strider/geometry/conv2d_transpose_geometry.hpp"
#include "strider/ops/activation.hpp"

namespace strider {

struct Conv2DTransposeOptions {
  Conv2DTransposeParams params;
  Activation activation = Activation::kLinear;
};

// output[n, height.tap(i, kh), width.tap(j, kw), co] += input[n, i, j, ci] * filter[kh, kw, co, ci]
// over every tap that lands inside the output; then + bias[co] and the activation.
// input NHWC [N, H, W, Cin]; filter [kh, kw, Cout, Cin]; bias [Cout] or nullptr.
// Throws like Conv2DTransposeGeometry::make, and ShapeError for a bias that is not [Cout].
Tensor conv2d_transpose(const Tensor& input, const Tensor& filter, const Tensor* bias,
                        const Conv2DTransposeOptions& options = {});

}  // namespace strider
