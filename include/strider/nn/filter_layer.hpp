// The part shared by the layers that own one filter and an optional bias (Conv1D, Conv2D,
// Conv2DTranspose, DepthwiseConv2D): building lazily from the input's channel count with Keras's
// initializers, the weights, set_weights with shape checks, and the parameter count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "strider/core/tensor.hpp"

namespace strider::nn {

class FilterLayer {
 public:
  // Creates the weights for `in_channels` input channels: the filter glorot_uniform over
  // filter_shape(in_channels) from the layer's seed (Keras's default kernel initializer, with the
  // fans Keras computes from that shape), the bias zeros. Throws like filter_shape.
  void build(std::int64_t in_channels);
  bool built() const { return filter_.has_value(); }
  // The input channel count the layer was built for (0 when not built).
  std::int64_t in_channels() const { return in_channels_; }

  // The filter build(in_channels) creates. Throws ShapeError for a channel count the layer cannot
  // take (< 1, or not divisible by groups).
  Shape filter_shape(std::int64_t in_channels) const;

  // Filter elements, plus bias elements with use_bias, for `in_channels` input channels. The
  // no-argument form needs a built layer (InvalidArgument otherwise).
  std::int64_t param_count(std::int64_t in_channels) const;
  std::int64_t param_count() const;

  const Tensor& filter() const;  // throws InvalidArgument when not built
  const Tensor* bias() const { return bias_ ? &*bias_ : nullptr; }

  // Replaces the weights; the layer is built afterwards. A built layer keeps its input channel
  // count; an unbuilt one takes it from the filter. The filter must have filter_shape(that count)
  // and the bias must be of the length build() makes with use_bias, absent without. Throws
  // ShapeError.
  void set_weights(Tensor filter, std::optional<Tensor> bias);

 protected:
  // `name` (a string literal: Keras's class name) begins every error message; `filter_rank` is
  // the rank of the layer's filter.
  FilterLayer(std::string_view name, std::size_t filter_rank, bool use_bias, std::uint64_t seed);
  FilterLayer(const FilterLayer&) = default;
  FilterLayer& operator=(const FilterLayer&) = default;
  FilterLayer(FilterLayer&&) = default;
  FilterLayer& operator=(FilterLayer&&) = default;
  ~FilterLayer() = default;

  std::string_view name() const { return name_; }
  // Changes whenever build() or set_weights() replaces the weights, so that derived layers know
  // when state prepared from them (a packed filter) is stale.
  std::uint64_t weights_version() const { return weights_version_; }
  // Checks that `input` has `rank` dimensions (ShapeError naming `layout`), then builds the layer
  // from its last (channel) axis if it is not built yet.
  void build_for(const Tensor& input, std::size_t rank, std::string_view layout);
  // The filter an input with `in_channels` channels meets: the layer's own once built (ShapeError
  // when the counts differ), else filter_shape(in_channels).
  Shape filter_shape_for_input(std::int64_t in_channels) const;

 private:
  // The layer's layout: its filter for a valid channel count (>= 1), the bias length, and the
  // input channel count that a filter of rank filter_rank implies.
  virtual Shape layout_filter_shape(std::int64_t in_channels) const = 0;
  virtual std::int64_t layout_bias_size(std::int64_t in_channels) const = 0;
  virtual std::int64_t layout_in_channels(const Shape& filter_shape) const = 0;

  std::string_view name_;
  std::size_t filter_rank_ = 4;
  bool use_bias_ = true;
  std::uint64_t seed_ = 0;
  std::int64_t in_channels_ = 0;
  std::optional<Tensor> filter_;
  std::optional<Tensor> bias_;
  std::uint64_t weights_version_ = 0;
};

}  // namespace strider::nn
