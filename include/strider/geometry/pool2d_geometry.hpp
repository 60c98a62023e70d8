// Geometry of 2-D pooling over NHWC tensors (MaxPool, AvgPool): one Window per spatial axis, the
// channels untouched.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "strider/geometry/conv2d_geometry.hpp"

namespace strider {

struct Pool2DParams {
  Pair2D pool_size{2, 2};
  std::optional<Pair2D> strides;  // Keras: omitted means pool_size
  Padding2D padding = Padding2D::valid();

  Pair2D effective_strides() const { return strides.value_or(pool_size); }
};

struct Pool2DGeometry {
  std::int64_t batch = 0;
  std::int64_t channels = 0;
  Window height;
  Window width;

  // Input NHWC. Throws InvalidArgument for pool sizes or strides < 1 and explicit padding (Keras
  // and tf.nn pooling take 'valid' or 'same'), ShapeError for a rank other than 4, negative
  // extents, a VALID window larger than the input, or an output that overflows.
  static Pool2DGeometry make(std::span<const std::int64_t> input_shape, const Pool2DParams& params,
                             std::string_view op = "pool2d");

  Shape input_shape() const;
  Shape output_shape() const;
  std::int64_t positions() const { return height.output_size() * width.output_size(); }
  // Elements read by one pass: batch * out_h * out_w * channels * pool_h * pool_w (the "MACs" of
  // a pooling layer, as analysis reports them).
  std::int64_t ops() const;
};

}  // namespace strider
