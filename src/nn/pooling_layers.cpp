#include "strider/nn/pooling_layers.hpp"

#include <fmt/format.h>

#include "nn/layer_util.hpp"
#include "strider/core/error.hpp"

namespace strider::nn {

Pooling2D::Pooling2D(PoolOp op, const Pooling2DConfig& config) : op_(op), config_(config) {
  detail::require_positive(name(), "pool_size", config.pool_size);
  if (config.strides) detail::require_positive(name(), "strides", *config.strides);
  if (config.padding.kind != PaddingKind::kValid && config.padding.kind != PaddingKind::kSame) {
    throw InvalidArgument(fmt::format("{}: padding must be 'valid' or 'same', got '{}'", name(),
                                      config.padding.to_string()));
  }
}

std::string_view Pooling2D::name() const {
  return op_ == PoolOp::kMax ? "MaxPooling2D" : "AveragePooling2D";
}

Tensor Pooling2D::operator()(const Tensor& input) const {
  Pool2DOptions options;
  options.params = config_;
  return pool2d(op_, input, options);
}

Shape Pooling2D::output_shape(const Shape& input_shape) const {
  return Pool2DGeometry::make(input_shape, config_, name()).output_shape();
}

std::string_view GlobalPooling2D::name() const {
  return op_ == PoolOp::kMax ? "GlobalMaxPooling2D" : "GlobalAveragePooling2D";
}

Tensor GlobalPooling2D::operator()(const Tensor& input) const {
  return op_ == PoolOp::kMax ? global_max_pool2d(input) : global_avg_pool2d(input);
}

Shape GlobalPooling2D::output_shape(const Shape& input_shape) const {
  detail::require_rank(name(), input_shape, 4, "NHWC");
  shape_size(input_shape, "global pooling input");
  if (input_shape[1] < 1 || input_shape[2] < 1) {
    throw ShapeError(fmt::format("{}: the input height and width must be >= 1, got {}", name(),
                                 format_shape(input_shape)));
  }
  return {input_shape[0], input_shape[3]};
}

}  // namespace strider::nn
