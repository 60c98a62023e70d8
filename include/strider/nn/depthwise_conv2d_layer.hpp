// Keras-like DepthwiseConv2D layer: owns its filter and bias, knows Keras's defaults and its
// parameter count, and calls the depthwise_conv2d op.
#pragma once

#include <cstdint>

#include "strider/core/tensor.hpp"
#include "strider/geometry/conv2d_geometry.hpp"
#include "strider/nn/filter_layer.hpp"
#include "strider/ops/activation.hpp"

namespace strider::nn {

// keras.layers.DepthwiseConv2D's arguments, with Keras's defaults.
struct DepthwiseConv2DConfig {
  Pair2D kernel_size{1, 1};
  Pair2D strides{1, 1};
  Padding2D padding = Padding2D::valid();
  std::int64_t depth_multiplier = 1;
  Pair2D dilation_rate{1, 1};
  Activation activation = Activation::kLinear;
  bool use_bias = true;
  std::uint64_t seed = 0;  // seeds the glorot_uniform filter initializer
};

// Filter [kh, kw, in_channels, depth_multiplier] (Keras's depthwise_kernel), bias
// [in_channels * depth_multiplier]; glorot_uniform fans fan_in = kh * kw * in_channels, fan_out =
// kh * kw * depth_multiplier, as Keras computes them from that shape. Output channel c * M + m
// reads input channel c only.
// param_count = kh * kw * C * M (+ C * M with use_bias).
// build, filter, bias, set_weights and param_count: see FilterLayer.
class DepthwiseConv2D final : public FilterLayer {
 public:
  // Throws InvalidArgument for kernel size, strides, depth_multiplier or dilation < 1 and for
  // negative explicit padding. Unequal strides (sh != sw), which TensorFlow's CPU kernel refuses
  // at run time, are accepted and computed; so is strides > 1 together with dilation > 1.
  explicit DepthwiseConv2D(const DepthwiseConv2DConfig& config);

  // Builds on first use from the input's channel count. Input NHWC, output NHWC [N, H', W', C * M].
  Tensor operator()(const Tensor& input);

  // Output shape for an NHWC input shape, from geometry alone. Throws like depthwise_conv2d().
  Shape output_shape(const Shape& input_shape) const;

  const DepthwiseConv2DConfig& config() const { return config_; }

 private:
  Shape layout_filter_shape(std::int64_t in_channels) const override;
  std::int64_t layout_bias_size(std::int64_t in_channels) const override;
  std::int64_t layout_in_channels(const Shape& filter_shape) const override;

  DepthwiseConv2DConfig config_;
};

}  // namespace strider::nn
