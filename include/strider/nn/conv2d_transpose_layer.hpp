// Keras-like Conv2DTranspose layer: owns its filter and bias, knows Keras's defaults and its
// parameter count, and calls the conv2d_transpose op.
#pragma once

#include <cstdint>
#include <optional>

#include "strider/core/tensor.hpp"
#include "strider/geometry/conv2d_transpose_geometry.hpp"
#include "strider/nn/filter_layer.hpp"
#include "strider/ops/activation.hpp"

namespace strider::nn {

// keras.layers.Conv2DTranspose's arguments, with Keras's defaults.
struct Conv2DTransposeConfig {
  std::int64_t filters = 1;
  Pair2D kernel_size{1, 1};
  Pair2D strides{1, 1};
  Padding2D padding = Padding2D::valid();
  std::optional<Pair2D> output_padding;  // each entry in [0, stride); none: Keras's default size
  Pair2D dilation_rate{1, 1};
  Activation activation = Activation::kLinear;
  bool use_bias = true;
  std::uint64_t seed = 0;  // seeds the glorot_uniform filter initializer
};

// Filter [kh, kw, filters, in_channels] (Keras's layout for Conv2DTranspose, that of
// tf.nn.conv2d_transpose), bias [filters]; glorot_uniform fans from that shape (fan_in = kh * kw *
// filters, fan_out = kh * kw * in_channels, as Keras computes them).
// param_count = kh * kw * filters * in_channels (+ filters with use_bias).
// Output size per axis (Conv2DTransposeGeometry): VALID in * stride + max(kernel - stride, 0),
// SAME in * stride; with output_padding p, VALID (in - 1) * stride + kernel + p, SAME (in - 1) *
// stride + kernel - 2 * (kernel / 2) + p (kernel = the dilated extent).
// build, filter, bias, set_weights and param_count: see FilterLayer.
class Conv2DTranspose final : public FilterLayer {
 public:
  // Throws InvalidArgument for filters, kernel size, strides or dilation < 1, negative explicit
  // padding, and output_padding < 0 or >= the stride on its axis (as Keras checks at
  // construction). Unlike Keras, strides > 1 together with dilation > 1 is accepted.
  explicit Conv2DTranspose(const Conv2DTransposeConfig& config);

  // Builds on first use from the input's channel count. Input NHWC, output NHWC.
  Tensor operator()(const Tensor& input);

  // Output shape for an NHWC input shape, from geometry alone. Throws like conv2d_transpose().
  Shape output_shape(const Shape& input_shape) const;

  const Conv2DTransposeConfig& config() const { return config_; }

 private:
  Shape layout_filter_shape(std::int64_t in_channels) const override;
  std::int64_t layout_bias_size(std::int64_t) const override { return config_.filters; }
  std::int64_t layout_in_channels(const Shape& filter_shape) const override;
  Conv2DTransposeParams params() const;

  Conv2DTransposeConfig config_;
};

}  // namespace strider::nn
