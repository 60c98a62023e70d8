// Backward (gradient) ops for training: the gradients of conv2d, depthwise_conv2d,
// conv2d_transpose, pooling, global pooling and the bias with respect to their inputs and filters.
// Every one walks the forward op's windows from geometry, read the other way; none re-derives
// padding or output sizes. NHWC activations, the forward ops' filter layouts, float32 results
// (sums accumulated in double). No bias or activation inside: the caller differentiates those.
#pragma once

#include "strider/core/tensor.hpp"
#include "strider/geometry/conv2d_geometry.hpp"
#include "strider/geometry/conv2d_transpose_geometry.hpp"
#include "strider/ops/depthwise_conv2d.hpp"
#include "strider/ops/pool2d.hpp"

namespace strider {

// The forward these differentiate: output = conv2d(input, filter, nullptr, {params}), input NHWC
// of `input_shape`, filter HWIO [kh, kw, C / groups, F]. With g = height/width windows:
//   grad_input[n, g.tap(oh, kh), g.tap(ow, kw), group_c0 + c]
//       += grad_output[n, oh, ow, f] * filter[kh, kw, c, f]       (taps inside the input only)
//   grad_filter[kh, kw, c, f] = sum over n, oh, ow of input[n, tap(oh, kh), tap(ow, kw), c0 + c]
//                                                    * grad_output[n, oh, ow, f]
// Throws InvalidArgument / ShapeError as Conv2DGeometry::make for bad params or shapes (a filter
// or filter_shape that does not fit the input), and ShapeError naming the op, the expected and
// the actual shape when grad_output is not the forward's output shape.
Tensor conv2d_backward_input(const Tensor& grad_output, const Tensor& filter,
                             const Shape& input_shape, const Conv2DParams& params);
Tensor conv2d_backward_filter(const Tensor& input, const Tensor& grad_output,
                              const Shape& filter_shape, const Conv2DParams& params);

// The same for output = depthwise_conv2d(input, filter, nullptr, options) with filter
// [kh, kw, C, M] (output channel c * M + m reads input channel c); options.activation and
// options.kernel are ignored. Throws like Conv2DGeometry::make_depthwise, and ShapeError for a
// grad_output that is not [N, OH, OW, C * M].
Tensor depthwise_conv2d_backward_input(const Tensor& grad_output, const Tensor& filter,
                                       const Shape& input_shape,
                                       const DepthwiseConv2DOptions& options);
Tensor depthwise_conv2d_backward_filter(const Tensor& input, const Tensor& grad_output,
                                        const Shape& filter_shape,
                                        const DepthwiseConv2DOptions& options);

// The same for output = conv2d_transpose(input, filter, nullptr, {params}), input NHWC
// [N, H, W, Cin], filter [kh, kw, Cout, Cin]. Each input position i is a forward window over the
// output, so
//   grad_input[n, i, j, ci] = sum over valid (kh, kw), co of
//       grad_output[n, height.tap(i, kh), width.tap(j, kw), co] * filter[kh, kw, co, ci]
//   grad_filter[kh, kw, co, ci] = sum over n, i, j of input[n, i, j, ci]
//                                    * grad_output[n, height.tap(i, kh), width.tap(j, kw), co]
// Throws like Conv2DTransposeGeometry::make, and ShapeError when grad_output is not the forward's
// output shape (which params.output_size / output_padding decide).
Tensor conv2d_transpose_backward_input(const Tensor& grad_output, const Tensor& filter,
                                       const Shape& input_shape,
                                       const Conv2DTransposeParams& params);
Tensor conv2d_transpose_backward_filter(const Tensor& input, const Tensor& grad_output,
                                        const Shape& filter_shape,
                                        const Conv2DTransposeParams& params);

// The gradient of output = pool2d(op, input, options) with respect to input, shape of input.
// Max routes each grad_output value to the first maximum of its window in scan order (rows, then
// columns), as TensorFlow's MaxPoolGrad does; avg spreads it evenly over the window's real taps
// (padding excluded), as the forward divides. options.kernel is ignored. Throws like
// Pool2DGeometry::make, and ShapeError when grad_output is not the forward's output shape.
Tensor pool2d_backward(PoolOp op, const Tensor& input, const Tensor& grad_output,
                       const Pool2DOptions& options);

// Gradients of global_avg_pool2d / global_max_pool2d: grad_output [N, C] back to NHWC
// [N, H, W, C]. Average spreads each value over H * W; max routes it to the first maximum (scan
// order). Throws ShapeError for an input (shape) that is not rank 4 with H, W >= 1, or a
// grad_output that is not [N, C].
Tensor global_avg_pool2d_backward(const Shape& input_shape, const Tensor& grad_output);
Tensor global_max_pool2d_backward(const Tensor& input, const Tensor& grad_output);

// The kernel gradient of a dense layer y = x W: grad_kernel[k, j] = the sum over rows r of
// x[r, k] * grad_output[r, j], for x [..., K] and grad_output [..., J] with as many rows (the
// product of the leading axes); shape [K, J]. It is the filter gradient of a 1x1 convolution over
// the rows, run by that kernel on x in place (no transposed copy). Throws ShapeError when the row
// counts differ or a tensor has rank 0.
Tensor dense_backward_kernel(const Tensor& input, const Tensor& grad_output);

// The gradient of a bias added along the last axis: grad_output summed over every other axis,
// shape [C]. Throws ShapeError for a rank-0 grad_output.
Tensor bias_backward(const Tensor& grad_output);

// A ReLU's backward and the bias gradient in one pass: zeroes grad_output where relu_output <= 0
// (in place), and returns bias_backward of the result, with the same bits. Both sum each image
// (each index of the first axis) in double, then the images in order. Two passes over a
// layer's output gradient were 5% of a training step. Throws ShapeError when the shapes differ.
Tensor relu_bias_backward(const Tensor& relu_output, Tensor& grad_output);

// The input gradient of a convolution whose input is a ReLU's output, relu_input = relu(z), with
// that ReLU's backward and the bias gradient of the layer that computed z folded in: grad_input
// is dL/dz, conv2d_backward_input(grad_output, filter, relu_input.shape(), params) zeroed where
// relu_input <= 0, and grad_bias its sum over all but the last axis. The same bits as
// relu_bias_backward(relu_input, g) on g = conv2d_backward_input(...), in one pass over each
// image while it is in cache instead of a second pass over memory (5% of a training step).
// Throws as conv2d_backward_input.
struct ReluBiasGradients {
  Tensor grad_input;
  Tensor grad_bias;
};
ReluBiasGradients conv2d_backward_input_relu_bias(const Tensor& grad_output, const Tensor& filter,
                                                  const Tensor& relu_input,
                                                  const Conv2DParams& params);

}  // namespace strider
