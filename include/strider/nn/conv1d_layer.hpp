// Keras-like Conv1D layer: owns its filter and bias, knows Keras's defaults and its parameter
// count, and calls the conv1d op.
#pragma once

#include <cstdint>

#include "strider/core/tensor.hpp"
#include "strider/geometry/window.hpp"
#include "strider/nn/filter_layer.hpp"
#include "strider/ops/activation.hpp"

namespace strider::nn {

// keras.layers.Conv1D's arguments, with Keras's defaults.
struct Conv1DConfig {
  std::int64_t filters = 1;
  std::int64_t kernel_size = 1;
  std::int64_t strides = 1;
  AxisPadding padding;  // kValid (default), kSame, kCausal or kExplicit (before, after)
  std::int64_t dilation_rate = 1;
  std::int64_t groups = 1;
  Activation activation = Activation::kLinear;
  bool use_bias = true;
  std::uint64_t seed = 0;  // seeds the glorot_uniform filter initializer
};

// Filter [kernel_size, in_channels / groups, filters], bias [filters]; glorot_uniform fans fan_in
// = k * in_channels / groups, fan_out = k * filters.
// param_count = k * in_channels / groups * filters (+ filters with use_bias).
// Output length: Window (geometry) over the input length; "causal" keeps it for stride 1.
// build, filter, bias, set_weights and param_count: see FilterLayer.
class Conv1D final : public FilterLayer {
 public:
  // Throws InvalidArgument for filters, kernel_size, strides, dilation_rate or groups < 1,
  // negative explicit padding, and groups that do not divide filters. Unlike Keras, strides > 1
  // together with dilation_rate > 1 is accepted (the strided sampling of the dilated convolution).
  explicit Conv1D(const Conv1DConfig& config);

  // Builds on first use from the input's channel count. Input [N, L, C], output [N, L', filters].
  Tensor operator()(const Tensor& input);

  // Output shape for an [N, L, C] input shape, from geometry alone. Throws like conv1d().
  Shape output_shape(const Shape& input_shape) const;

  const Conv1DConfig& config() const { return config_; }

 private:
  Shape layout_filter_shape(std::int64_t in_channels) const override;
  std::int64_t layout_bias_size(std::int64_t) const override { return config_.filters; }
  std::int64_t layout_in_channels(const Shape& filter_shape) const override;

  Conv1DConfig config_;
};

}  // namespace strider::nn
