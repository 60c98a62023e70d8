// Keras-like Conv2D layer: owns its filter and bias, knows Keras's defaults and its parameter
// count, and calls the conv2d op.
#pragma once

#include <cstdint>
#include <optional>

#include "strider/core/tensor.hpp"
#include "strider/geometry/conv2d_geometry.hpp"
#include "strider/ops/activation.hpp"

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
  std::uint64_t seed = 0;  // seeds the glorot_uniform kernel initializer
};

class Conv2D {
 public:
  // Throws InvalidArgument for filters, kernel size, strides, dilation or groups < 1 and for
  // groups that do not divide filters. Unlike Keras, strides > 1 together with dilation > 1 is
  // accepted (see conv2d()).
  explicit Conv2D(const Conv2DConfig& config);

  // Creates the weights for `in_channels` input channels: kernel glorot_uniform, i.e. uniform in
  // [-limit, limit] with limit = sqrt(6 / (fan_in + fan_out)), fan_in = kh * kw * in_channels /
  // groups, fan_out = kh * kw * filters (as Keras computes fans from the kernel shape); bias
  // zeros. Throws ShapeError when groups does not divide in_channels.
  void build(std::int64_t in_channels);
  bool built() const { return filter_.has_value(); }

  // Builds on first use from the input's channel count. Input NHWC, output NHWC.
  Tensor operator()(const Tensor& input);

  // Output shape for an NHWC input shape, from geometry alone (no data). Throws like conv2d().
  Shape output_shape(const Shape& input_shape) const;

  // kernel_h * kernel_w * in_channels / groups * filters + filters (with use_bias). The layer must
  // be built (or in_channels given).
  std::int64_t param_count() const;
  std::int64_t param_count(std::int64_t in_channels) const;

  const Conv2DConfig& config() const { return config_; }
  const Tensor& filter() const;  // HWIO
  const Tensor* bias() const { return bias_ ? &*bias_ : nullptr; }
  // Replaces the weights (shapes must match what build() would make).
  void set_weights(Tensor filter, std::optional<Tensor> bias);

 private:
  Shape filter_shape(std::int64_t in_channels) const;

  Conv2DConfig config_;
  std::optional<Tensor> filter_;
  std::optional<Tensor> bias_;
};

}  // namespace strider::nn
