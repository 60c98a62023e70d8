// Pooling, TensorFlow-exact: tf.nn.max_pool2d, tf.nn.avg_pool2d (padded cells excluded from the
// average, as TensorFlow does) and Keras's global pooling.
#pragma once

#include <string_view>

#include "strider/core/tensor.hpp"
#include "strider/geometry/pool2d_geometry.hpp"

namespace strider {

enum class PoolOp { kMax, kAvg };

// "max" or "avg" (also "average"); throws InvalidArgument naming `what`.
PoolOp parse_pool_op(std::string_view text, std::string_view what = "op");
std::string_view pool_op_name(PoolOp op);

struct Pool2DOptions {
  Pool2DParams params;
  std::string_view kernel;  // empty: the best kernel that supports the problem
};

// output[n, oh, ow, c] = max, or mean, over the window's taps inside the input of
//   input[n, height.tap(oh, i), width.tap(ow, j), c].
// Padding never contributes: max ignores it, the mean divides by the count of real taps.
// Input NHWC; output NHWC. Throws like Pool2DGeometry::make.
Tensor pool2d(PoolOp op, const Tensor& input, const Pool2DOptions& options);
// The name of the kernel pool2d runs for this input and these options. Throws as pool2d does.
std::string_view pool2d_kernel_name(PoolOp op, const Shape& input_shape,
                                    const Pool2DOptions& options);
Tensor max_pool2d(const Tensor& input, const Pool2DParams& params);
Tensor avg_pool2d(const Tensor& input, const Pool2DParams& params);

// Keras GlobalAveragePooling2D / GlobalMaxPooling2D (keepdims=False): [N, H, W, C] -> [N, C].
// Throws ShapeError for a rank other than 4 or an empty spatial extent (no value to reduce).
Tensor global_avg_pool2d(const Tensor& input);
Tensor global_max_pool2d(const Tensor& input);

}  // namespace strider
