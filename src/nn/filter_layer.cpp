#include "strider/nn/filter_layer.hpp"

#include <fmt/format.h>

#include <utility>

#include "nn/layer_util.hpp"
#include "strider/core/checked.hpp"
#include "strider/core/error.hpp"
#include "strider/nn/initializers.hpp"

namespace strider::nn {

FilterLayer::FilterLayer(std::string_view name, std::size_t filter_rank, bool use_bias,
                         std::uint64_t seed)
    : name_(name), filter_rank_(filter_rank), use_bias_(use_bias), seed_(seed) {}

Shape FilterLayer::filter_shape(std::int64_t in_channels) const {
  if (in_channels < 1) {
    throw ShapeError(fmt::format("{}: input channels must be >= 1, got {}", name_, in_channels));
  }
  return layout_filter_shape(in_channels);
}

void FilterLayer::build(std::int64_t in_channels) {
  Tensor filter = glorot_uniform(filter_shape(in_channels), seed_);
  bias_ = detail::zero_bias(use_bias_, layout_bias_size(in_channels));
  filter_ = std::move(filter);
  in_channels_ = in_channels;
  ++weights_version_;
}

std::int64_t FilterLayer::param_count(std::int64_t in_channels) const {
  const std::string what = fmt::format("{}: parameter count", name_);
  const std::int64_t weights = checked_product(filter_shape(in_channels), what);
  return use_bias_ ? checked_add(weights, layout_bias_size(in_channels), what) : weights;
}

std::int64_t FilterLayer::param_count() const {
  detail::require_built(name_, filter_);
  return param_count(in_channels_);
}

const Tensor& FilterLayer::filter() const { return detail::require_built(name_, filter_); }

void FilterLayer::set_weights(Tensor filter, std::optional<Tensor> bias) {
  if (filter.rank() != filter_rank_) {
    throw ShapeError(fmt::format("{}: filter must be rank {}, got {}", name_, filter_rank_,
                                 format_shape(filter.shape())));
  }
  const std::int64_t in_channels = built() ? in_channels_ : layout_in_channels(filter.shape());
  detail::require_shape(name_, "filter", filter, filter_shape(in_channels));
  detail::require_bias(name_, use_bias_, bias, layout_bias_size(in_channels));
  filter_ = std::move(filter);
  bias_ = std::move(bias);
  in_channels_ = in_channels;
  ++weights_version_;
}

void FilterLayer::build_for(const Tensor& input, std::size_t rank, std::string_view layout) {
  detail::require_rank(name_, input.shape(), rank, layout);
  if (!built()) build(input.shape().back());
}

Shape FilterLayer::filter_shape_for_input(std::int64_t in_channels) const {
  if (!built()) return filter_shape(in_channels);
  detail::require_built_channels(name_, in_channels, in_channels_);
  return filter_->shape();
}

}  // namespace strider::nn
