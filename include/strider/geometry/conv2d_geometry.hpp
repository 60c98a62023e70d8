// Geometry of 2-D sliding-window ops over NHWC tensors: the user-facing forms of strides,
// dilations and padding (as TensorFlow accepts them), and the resolved Conv2D geometry that the
// kernels, layers, analysis and CLI share.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "strider/core/tensor.hpp"
#include "strider/geometry/window.hpp"

namespace strider {

// A (height, width) pair: strides, dilations, kernel sizes.
struct Pair2D {
  std::int64_t h = 1;
  std::int64_t w = 1;
  bool operator==(const Pair2D&) const = default;
};

// Strides as TensorFlow accepts them: `s`, `(sh, sw)` or `(1, sh, sw, 1)`. The 4-form must have 1
// in the batch and channel positions. Values are not range-checked here (Window::make does that,
// naming the axis). Throws InvalidArgument naming `what` for any other length or a 4-form with a
// batch/channel entry other than 1.
Pair2D pair_from_list(std::span<const std::int64_t> values, std::string_view what);

// The padding rule of a 2-D op: VALID, SAME, or explicit amounts per side.
struct Padding2D {
  PaddingKind kind = PaddingKind::kValid;
  std::int64_t top = 0, bottom = 0, left = 0, right = 0;  // kExplicit only

  static Padding2D valid() { return {}; }
  static Padding2D same() { return {PaddingKind::kSame}; }
  static Padding2D explicit_pads(std::int64_t top, std::int64_t bottom, std::int64_t left,
                                 std::int64_t right) {
    return {PaddingKind::kExplicit, top, bottom, left, right};
  }
  // "valid", "same" (any case) or "T,B,L,R" (four integers >= 0). Throws InvalidArgument.
  static Padding2D parse(std::string_view text, std::string_view what = "padding");

  AxisPadding height() const { return {kind, top, bottom}; }
  AxisPadding width() const { return {kind, left, right}; }
  std::string to_string() const;  // "valid", "same", "1,1,2,2"
};

// What a user chooses for a Conv2D besides the filter: TensorFlow's defaults.
struct Conv2DParams {
  Pair2D strides{1, 1};
  Pair2D dilation{1, 1};
  Padding2D padding = Padding2D::valid();
  std::int64_t groups = 1;
};

// A Conv2D resolved for concrete input and filter shapes.
//   input  NHWC [batch, in_height, in_width, in_channels]
//   filter HWIO [kernel_h, kernel_w, in_channels / groups, out_channels]
//   output NHWC [batch, height.output_size(), width.output_size(), out_channels]
// Output channel f belongs to group f / (out_channels / groups) and reads input channels
// [g * in_channels / groups, (g + 1) * in_channels / groups).
struct Conv2DGeometry {
  std::int64_t batch = 0;
  std::int64_t in_channels = 0;
  std::int64_t out_channels = 0;
  std::int64_t groups = 1;
  Window height;
  Window width;

  // Validates everything: ranks, extents >= 0, in_channels == filter in-channels * groups,
  // groups dividing both channel counts, strides/dilation >= 1, the window fitting, and that the
  // output, MAC and parameter counts fit in 64 bits. Throws InvalidArgument or ShapeError.
  static Conv2DGeometry make(std::span<const std::int64_t> input_shape,
                             std::span<const std::int64_t> filter_shape, const Conv2DParams& params,
                             std::string_view op = "conv2d");

  // A depthwise convolution is a grouped one with groups = C: filter [kh, kw, C, M] has the same
  // memory layout as the HWIO filter [kh, kw, 1, C * M], and output channel c * M + m reads input
  // channel c. params.groups is ignored. Throws ShapeError when the filter's third dimension is
  // not C, and InvalidArgument for a depth multiplier M < 1.
  static Conv2DGeometry make_depthwise(std::span<const std::int64_t> input_shape,
                                       std::span<const std::int64_t> filter_shape,
                                       const Conv2DParams& params,
                                       std::string_view op = "depthwise_conv2d");

  std::int64_t in_channels_per_group() const { return in_channels / groups; }
  std::int64_t out_channels_per_group() const { return out_channels / groups; }
  Shape input_shape() const;
  Shape filter_shape() const;
  Shape output_shape() const;
  // kernel_h * kernel_w * in_channels/groups * out_channels (+ out_channels with a bias).
  std::int64_t params(bool use_bias) const;
  // Multiply-accumulates of one forward pass:
  // batch * out_h * out_w * out_channels * kernel_h * kernel_w * in_channels / groups.
  std::int64_t macs() const;
  // Window positions the filter visits per image and channel group: out_h * out_w.
  std::int64_t positions() const { return height.output_size() * width.output_size(); }
};

}  // namespace strider
