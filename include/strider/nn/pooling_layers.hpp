// Keras-like pooling layers: MaxPooling2D, AveragePooling2D, GlobalMaxPooling2D and
// GlobalAveragePooling2D. They own no weights and call the pool2d ops.
#pragma once

#include <cstdint>
#include <string_view>

#include "strider/core/tensor.hpp"
#include "strider/geometry/pool2d_geometry.hpp"
#include "strider/ops/pool2d.hpp"

namespace strider::nn {

// keras.layers.MaxPooling2D / AveragePooling2D's arguments, with Keras's defaults: pool_size
// (2, 2), strides omitted (= pool_size), padding "valid".
using Pooling2DConfig = Pool2DParams;

// A sliding-window pooling layer. Input NHWC, output NHWC with the channels unchanged; output size
// per axis from Pool2DGeometry (VALID floor((in - pool) / stride) + 1, SAME ceil(in / stride)).
// AveragePooling2D leaves padded cells out of the mean, as TensorFlow does.
class Pooling2D {
 public:
  // Throws InvalidArgument for pool sizes or strides < 1 and padding other than valid or same.
  Pooling2D(PoolOp op, const Pooling2DConfig& config);

  Tensor operator()(const Tensor& input) const;  // throws like pool2d()
  // Output shape for an NHWC input shape, from geometry alone. Throws like pool2d().
  Shape output_shape(const Shape& input_shape) const;
  std::int64_t param_count() const { return 0; }

  PoolOp op() const { return op_; }
  const Pooling2DConfig& config() const { return config_; }
  std::string_view name() const;  // "MaxPooling2D" or "AveragePooling2D"

 private:
  PoolOp op_;
  Pooling2DConfig config_;
};

class MaxPooling2D : public Pooling2D {
 public:
  explicit MaxPooling2D(const Pooling2DConfig& config = {}) : Pooling2D(PoolOp::kMax, config) {}
};

class AveragePooling2D : public Pooling2D {
 public:
  explicit AveragePooling2D(const Pooling2DConfig& config = {}) : Pooling2D(PoolOp::kAvg, config) {}
};

// Pooling over the whole height and width, Keras's keepdims=False: [N, H, W, C] -> [N, C].
class GlobalPooling2D {
 public:
  explicit GlobalPooling2D(PoolOp op) : op_(op) {}

  Tensor operator()(const Tensor& input) const;  // throws like global_max_pool2d()
  // [N, C] for an NHWC input shape. Throws ShapeError for a rank other than 4, a negative extent
  // or an empty height or width (no value to reduce).
  Shape output_shape(const Shape& input_shape) const;
  std::int64_t param_count() const { return 0; }

  PoolOp op() const { return op_; }
  std::string_view name() const;  // "GlobalMaxPooling2D" or "GlobalAveragePooling2D"

 private:
  PoolOp op_;
};

class GlobalMaxPooling2D : public GlobalPooling2D {
 public:
  GlobalMaxPooling2D() : GlobalPooling2D(PoolOp::kMax) {}
};

class GlobalAveragePooling2D : public GlobalPooling2D {
 public:
  GlobalAveragePooling2D() : GlobalPooling2D(PoolOp::kAvg) {}
};

}  // namespace strider::nn
