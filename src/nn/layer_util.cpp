#include "nn/layer_util.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "strider/core/error.hpp"

namespace strider::nn::detail {

void require_positive(std::string_view layer, std::string_view what, std::int64_t value) {
  if (value < 1) {
    throw InvalidArgument(fmt::format("{}: {} must be >= 1, got {}", layer, what, value));
  }
}

void require_positive(std::string_view layer, std::string_view what, Pair2D value) {
  require_positive(layer, fmt::format("{}[0]", what), value.h);
  require_positive(layer, fmt::format("{}[1]", what), value.w);
}

void require_padding(std::string_view layer, const AxisPadding& padding, std::string_view what) {
  if (padding.kind == PaddingKind::kExplicit && (padding.before < 0 || padding.after < 0)) {
    throw InvalidArgument(fmt::format("{}: explicit {} padding must be >= 0, got ({}, {})", layer,
                                      what, padding.before, padding.after));
  }
}

void require_window(std::string_view layer, Pair2D kernel_size, Pair2D strides,
                    Pair2D dilation_rate, const Padding2D& padding) {
  require_positive(layer, "kernel_size", kernel_size);
  require_positive(layer, "strides", strides);
  require_positive(layer, "dilation_rate", dilation_rate);
  require_padding(layer, padding.height(), "height");
  require_padding(layer, padding.width(), "width");
}

void require_groups_divide_filters(std::string_view layer, std::int64_t groups,
                                   std::int64_t filters) {
  if (filters % groups != 0) {
    throw InvalidArgument(
        fmt::format("{}: groups ({}) must divide filters ({})", layer, groups, filters));
  }
}

void require_groups_divide_channels(std::string_view layer, std::int64_t groups,
                                    std::int64_t in_channels) {
  if (in_channels % groups != 0) {
    throw ShapeError(fmt::format("{}: groups ({}) must divide the input channels ({})", layer,
                                 groups, in_channels));
  }
}

void require_rank(std::string_view layer, std::span<const std::int64_t> shape, std::size_t rank,
                  std::string_view layout) {
  if (shape.size() != rank) {
    throw ShapeError(fmt::format("{}: input must be rank {} ({}), got {}", layer, rank, layout,
                                 format_shape(shape)));
  }
}

void require_shape(std::string_view layer, std::string_view what, const Tensor& tensor,
                   std::span<const std::int64_t> expected) {
  if (!std::equal(expected.begin(), expected.end(), tensor.shape().begin(), tensor.shape().end())) {
    throw ShapeError(fmt::format("{}: {} must have shape {}, got {}", layer, what,
                                 format_shape(expected), format_shape(tensor.shape())));
  }
}

void require_bias(std::string_view layer, bool use_bias, const std::optional<Tensor>& bias,
                  std::int64_t size) {
  if (!use_bias && bias) {
    throw ShapeError(fmt::format("{}: bias must be absent (use_bias is false), got {}", layer,
                                 format_shape(bias->shape())));
  }
  if (use_bias && !bias) {
    throw ShapeError(
        fmt::format("{}: bias of shape ({},) is missing (use_bias is true)", layer, size));
  }
  if (bias) require_shape(layer, "bias", *bias, Shape{size});
}

void require_built_channels(std::string_view layer, std::int64_t input_channels,
                            std::int64_t built_channels) {
  if (input_channels != built_channels) {
    throw ShapeError(fmt::format("{}: the input has {} channels, the layer was built for {}", layer,
                                 input_channels, built_channels));
  }
}

std::optional<Tensor> zero_bias(bool use_bias, std::int64_t size) {
  if (!use_bias) return std::nullopt;
  return Tensor(Shape{size});
}

const Tensor& require_built(std::string_view layer, const std::optional<Tensor>& weight) {
  if (!weight) {
    throw InvalidArgument(
        fmt::format("{}: the layer is not built yet (call build or run it on an input)", layer));
  }
  return *weight;
}

}  // namespace strider::nn::detail
