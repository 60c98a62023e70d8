// Keras-like Conv2D layer: owns its filter and bias, knows Keras's defaults and its parameter
// count, and calls the conv2d op.
#pragma once

#include <cstdint>
#include <memory>

#include "strider/core/tensor.hpp"
#include "strider/geometry/conv2d_geometry.hpp"
#include "strider/nn/filter_layer.hpp"
#include "strider/ops/activation.hpp"
#include "strider/ops/conv2d.hpp"

namespace strider::nn {

// keras.layers.Conv2D's arguments, with Keras's defaults.
struct Conv2DConfig {
  std::int64_t filters = 1;
  Pair2D kernel_size{1, 1};
  Pair2D strides{1, 1};
  Padding2D padding = Padding2D::valid();
  Pair2D dilation_rate{1, 1};
  std::int64_t groups = 1;
  Activation activation = Activation::kLinear;
  bool use_bias = true;
  std::uint64_t seed = 0;  // seeds the glorot_uniform filter initializer
};

// Filter HWIO [kh, kw, in_channels / groups, filters], bias [filters]; glorot_uniform fans
// fan_in = kh * kw * in_channels / groups, fan_out = kh * kw * filters.
// param_count = kh * kw * in_channels / groups * filters (+ filters with use_bias).
// build, filter, bias, set_weights and param_count: see FilterLayer.
class Conv2D final : public FilterLayer {
 public:
  // Throws InvalidArgument for filters, kernel size, strides, dilation or groups < 1, negative
  // explicit padding, and groups that do not divide filters. Unlike Keras, strides > 1 together
  // with dilation > 1 is accepted (see conv2d()).
  explicit Conv2D(const Conv2DConfig& config);

  // Builds on first use from the input's channel count. Input NHWC, output NHWC.
  Tensor operator()(const Tensor& input);

  // Output shape for an NHWC input shape, from geometry alone (no data). Throws like conv2d().
  Shape output_shape(const Shape& input_shape) const;

  const Conv2DConfig& config() const { return config_; }

 private:
  Shape layout_filter_shape(std::int64_t in_channels) const override;
  std::int64_t layout_bias_size(std::int64_t) const override { return config_.filters; }
  std::int64_t layout_in_channels(const Shape& filter_shape) const override;
  Conv2DParams params() const;

  Conv2DConfig config_;
  // The filter packed for the fast kernels once per set of weights, not on every call.
  std::shared_ptr<const Conv2DPlan> plan_;
  std::uint64_t plan_version_ = 0;
};

}  // namespace strider::nn
