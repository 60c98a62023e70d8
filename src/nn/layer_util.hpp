// Checks shared by the nn layers (internal): configuration rules, input ranks, weight shapes. Each
// throws with one line that begins with the layer's Keras name.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "strider/core/tensor.hpp"
#include "strider/geometry/conv2d_geometry.hpp"
#include "strider/ops/depthwise_conv2d.hpp"

namespace strider::nn::detail {

// InvalidArgument "<layer>: <what> must be >= 1, got <value>"; the pair form names what[0] and
// what[1].
void require_positive(std::string_view layer, std::string_view what, std::int64_t value);
void require_positive(std::string_view layer, std::string_view what, Pair2D value);

// InvalidArgument for negative explicit padding amounts.
void require_padding(std::string_view layer, const AxisPadding& padding, std::string_view what);

// The window arguments every 2-D convolution layer takes: kernel_size, strides and dilation_rate
// >= 1 (InvalidArgument naming the entry), explicit padding amounts >= 0.
void require_window(std::string_view layer, Pair2D kernel_size, Pair2D strides,
                    Pair2D dilation_rate, const Padding2D& padding);

// InvalidArgument "<layer>: groups (<g>) must divide filters (<f>)".
void require_groups_divide_filters(std::string_view layer, std::int64_t groups,
                                   std::int64_t filters);

// ShapeError "<layer>: groups (<g>) must divide the input channels (<c>)".
void require_groups_divide_channels(std::string_view layer, std::int64_t groups,
                                    std::int64_t in_channels);

// ShapeError "<layer>: input must be rank <rank> (<layout>), got <shape>".
void require_rank(std::string_view layer, std::span<const std::int64_t> shape, std::size_t rank,
                  std::string_view layout);

// ShapeError "<layer>: <what> must have shape <expected>, got <actual>".
void require_shape(std::string_view layer, std::string_view what, const Tensor& tensor,
                   std::span<const std::int64_t> expected);

// ShapeError unless the bias is present with shape (size,) when use_bias, and absent otherwise.
void require_bias(std::string_view layer, bool use_bias, const std::optional<Tensor>& bias,
                  std::int64_t size);

// ShapeError "<layer>: the input has <c> channels, the layer was built for <built>" when they
// differ.
void require_built_channels(std::string_view layer, std::int64_t input_channels,
                            std::int64_t built_channels);

// A zero bias of shape (size,) when use_bias, else none (Keras's bias_initializer="zeros").
std::optional<Tensor> zero_bias(bool use_bias, std::int64_t size);

// The weight, or InvalidArgument "<layer>: the layer is not built yet ..." when there is none.
const Tensor& require_built(std::string_view layer, const std::optional<Tensor>& weight);

// The depthwise step of DepthwiseConv2D and SeparableConv2D, from either config: its geometry
// parameters and its op options.
template <class Config>
Conv2DParams depthwise_params(const Config& config) {
  return {config.strides, config.dilation_rate, config.padding, 1};
}

template <class Config>
DepthwiseConv2DOptions depthwise_options(const Config& config) {
  DepthwiseConv2DOptions options;
  options.strides = config.strides;
  options.dilation = config.dilation_rate;
  options.padding = config.padding;
  options.activation = config.activation;
  return options;
}

}  // namespace strider::nn::detail
