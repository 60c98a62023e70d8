// Keras-like SeparableConv2D layer: a depthwise filter, a 1x1 pointwise filter and a bias; knows
// Keras's defaults and its parameter count, and calls the separable_conv2d op.
#pragma once

#include <cstdint>
#include <optional>

#include "strider/core/tensor.hpp"
#include "strider/geometry/conv2d_geometry.hpp"
#include "strider/ops/activation.hpp"

namespace strider::nn {

// keras.layers.SeparableConv2D's arguments, with Keras's defaults.
struct SeparableConv2DConfig {
  std::int64_t filters = 1;
  Pair2D kernel_size{1, 1};
  Pair2D strides{1, 1};
  Padding2D padding = Padding2D::valid();
  std::int64_t depth_multiplier = 1;
  Pair2D dilation_rate{1, 1};
  Activation activation = Activation::kLinear;
  bool use_bias = true;
  // The depthwise filter is drawn with `seed`, the pointwise filter with `seed + 1` (wrapping).
  std::uint64_t seed = 0;
};

// Depthwise filter [kh, kw, C, M], pointwise filter [1, 1, C * M, filters], bias [filters]; both
// filters glorot_uniform with the fans Keras computes from those shapes, the bias zeros. The
// depthwise step (strides, padding, dilation; no bias, no activation) is followed by the 1x1
// convolution, the bias and the activation.
// param_count = kh * kw * C * M + C * M * filters (+ filters with use_bias).
class SeparableConv2D {
 public:
  // Throws InvalidArgument for filters, kernel size, strides, depth_multiplier or dilation < 1
  // and for negative explicit padding. Unequal strides and strides > 1 together with dilation > 1
  // are accepted and computed (see depthwise_conv2d()).
  explicit SeparableConv2D(const SeparableConv2DConfig& config);

  // Creates the weights for `in_channels` input channels (see above). Throws ShapeError for
  // in_channels < 1.
  void build(std::int64_t in_channels);
  bool built() const { return depthwise_.has_value(); }
  std::int64_t in_channels() const { return in_channels_; }  // 0 when not built

  // Builds on first use from the input's channel count. Input NHWC, output NHWC [N, H', W', F].
  Tensor operator()(const Tensor& input);

  // Output shape for an NHWC input shape, from geometry alone. Throws like separable_conv2d().
  Shape output_shape(const Shape& input_shape) const;

  // The no-argument form needs a built layer (InvalidArgument otherwise).
  std::int64_t param_count(std::int64_t in_channels) const;
  std::int64_t param_count() const;

  // The filters build(in_channels) creates. Throw ShapeError for in_channels < 1.
  Shape depthwise_filter_shape(std::int64_t in_channels) const;
  Shape pointwise_filter_shape(std::int64_t in_channels) const;

  const SeparableConv2DConfig& config() const { return config_; }
  const Tensor& depthwise_filter() const;  // throws InvalidArgument when not built
  const Tensor& pointwise_filter() const;  // throws InvalidArgument when not built
  const Tensor* bias() const { return bias_ ? &*bias_ : nullptr; }

  // Replaces the weights; the layer is built afterwards. A built layer keeps its input channel
  // count; an unbuilt one takes it from the depthwise filter's third dimension. Shapes must be
  // those build() makes; the bias present exactly when use_bias. Throws ShapeError.
  void set_weights(Tensor depthwise, Tensor pointwise, std::optional<Tensor> bias);

 private:
  SeparableConv2DConfig config_;
  std::int64_t in_channels_ = 0;
  std::optional<Tensor> depthwise_;
  std::optional<Tensor> pointwise_;
  std::optional<Tensor> bias_;
};

}  // namespace strider::nn
