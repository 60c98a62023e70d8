#include "strider/geometry/conv2d_geometry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "strider/core/checked.hpp"
#include "strider/core/error.hpp"
#include "strider/core/parse.hpp"

namespace strider {

Pair2D pair_from_list(std::span<const std::int64_t> values, std::string_view what) {
  switch (values.size()) {
    case 1:
      return {values[0], values[0]};
    case 2:
      return {values[0], values[1]};
    case 4:
      if (values[0] != 1 || values[3] != 1) {
        throw InvalidArgument(fmt::format(
            "{}: the 4-form (1, h, w, 1) must have 1 in the batch and channel positions, got "
            "({})",
            what, fmt::join(values, ", ")));
      }
      return {values[1], values[2]};
    default:
      throw InvalidArgument(
          fmt::format("{}: expected 1, 2 or 4 values (s | sh,sw | 1,sh,sw,1), got {}: ({})", what,
                      values.size(), fmt::join(values, ", ")));
  }
}

Padding2D Padding2D::parse(std::string_view text, std::string_view what) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "valid") return valid();
  if (lower == "same") return same();
  if (lower.empty() || !(std::isdigit(static_cast<unsigned char>(lower[0])) || lower[0] == '-' ||
                         lower[0] == '+' || lower[0] == ' ')) {
    throw InvalidArgument(
        fmt::format("{}: expected 'valid', 'same' or four integers T,B,L,R, got '{}'", what, text));
  }
  const auto pads = parse_int_list(text, what);
  if (pads.size() != 4) {
    throw InvalidArgument(fmt::format(
        "{}: explicit padding needs four integers T,B,L,R, got {}: '{}'", what, pads.size(), text));
  }
  for (std::int64_t p : pads) {
    if (p < 0) {
      throw InvalidArgument(
          fmt::format("{}: explicit padding must be >= 0 on every side, got '{}'", what, text));
    }
  }
  return explicit_pads(pads[0], pads[1], pads[2], pads[3]);
}

std::string Padding2D::to_string() const {
  if (kind == PaddingKind::kExplicit) return fmt::format("{},{},{},{}", top, bottom, left, right);
  return std::string(padding_kind_name(kind));
}

Conv2DGeometry Conv2DGeometry::make(std::span<const std::int64_t> input_shape,
                                    std::span<const std::int64_t> filter_shape,
                                    const Conv2DParams& params, std::string_view op) {
  require_rank(input_shape, 4, op, "input", "NHWC");
  require_rank(filter_shape, 4, op, "filter", "HWIO");
  static constexpr const char* kInputAxes[] = {"batch", "height", "width", "channels"};
  for (std::size_t i = 0; i < 4; ++i) {
    if (input_shape[i] < 0) {
      throw ShapeError(fmt::format("{}: input {} must be >= 0, got {} in input shape {}", op,
                                   kInputAxes[i], input_shape[i], format_shape(input_shape)));
    }
    if (filter_shape[i] < 0) {
      throw ShapeError(fmt::format("{}: filter dimension {} must be >= 0, got {} in filter {}", op,
                                   i, filter_shape[i], format_shape(filter_shape)));
    }
  }
  if (filter_shape[0] < 1 || filter_shape[1] < 1) {
    throw ShapeError(fmt::format("{}: filter kernel size must be >= 1, got {}x{} in filter {}", op,
                                 filter_shape[0], filter_shape[1], format_shape(filter_shape)));
  }
  if (filter_shape[2] < 1 || filter_shape[3] < 1) {
    throw ShapeError(
        fmt::format("{}: filter in- and out-channels must be >= 1, got filter {} (HWIO)", op,
                    format_shape(filter_shape)));
  }
  if (params.groups < 1) {
    throw InvalidArgument(fmt::format("{}: groups must be >= 1, got {}", op, params.groups));
  }
  Conv2DGeometry g;
  g.batch = input_shape[0];
  g.in_channels = input_shape[3];
  g.out_channels = filter_shape[3];
  g.groups = params.groups;
  if (g.in_channels % g.groups != 0) {
    throw ShapeError(fmt::format("{}: groups ({}) must divide the input channels ({})", op,
                                 g.groups, g.in_channels));
  }
  if (g.out_channels % g.groups != 0) {
    throw ShapeError(fmt::format("{}: groups ({}) must divide the filter count ({})", op, g.groups,
                                 g.out_channels));
  }
  // Compared by division: filter in-channels * groups may overflow for a hostile filter shape.
  if (filter_shape[2] != g.in_channels / g.groups) {
    std::int64_t product = 0;
    const bool overflows = __builtin_mul_overflow(filter_shape[2], g.groups, &product);
    throw ShapeError(
        fmt::format("{}: input channels ({}) must equal filter in-channels ({}) * groups ({}) = {}",
                    op, g.in_channels, filter_shape[2], g.groups,
                    overflows ? std::string("more than 64 bits hold") : std::to_string(product)));
  }
  g.height =
      Window::make(input_shape[1],
                   {filter_shape[0], params.strides.h, params.dilation.h, params.padding.height()},
                   op, "height");
  g.width = Window::make(
      input_shape[2],
      {filter_shape[1], params.strides.w, params.dilation.w, params.padding.width()}, op, "width");
  // Every count a caller may ask for must fit: checking here keeps the accessors noexcept-simple.
  checked_product(g.input_shape(), Origin{op, "input", "size"});
  checked_product(g.output_shape(), Origin{op, "output", "size"});
  g.params(true);
  g.macs();
  return g;
}

Conv2DGeometry Conv2DGeometry::make_depthwise(std::span<const std::int64_t> input_shape,
                                              std::span<const std::int64_t> filter_shape,
                                              const Conv2DParams& params, std::string_view op) {
  require_rank(input_shape, 4, op, "input", "NHWC");
  require_rank(filter_shape, 4, op, "filter", "[kh, kw, in, multiplier]");
  if (filter_shape[3] < 1) {
    throw InvalidArgument(fmt::format("{}: depth_multiplier must be >= 1, got {} (filter {})", op,
                                      filter_shape[3], format_shape(filter_shape)));
  }
  if (filter_shape[2] != input_shape[3]) {
    throw ShapeError(fmt::format(
        "{}: input channels ({}) must equal the filter's third dimension ({}); the filter is "
        "[kh, kw, in, multiplier]",
        op, input_shape[3], filter_shape[2]));
  }
  if (input_shape[3] < 1) {
    throw ShapeError(fmt::format("{}: input channels must be >= 1, got {}", op, input_shape[3]));
  }
  Conv2DParams grouped = params;
  grouped.groups = input_shape[3];
  const Shape hwio{filter_shape[0], filter_shape[1], 1,
                   checked_mul(filter_shape[2], filter_shape[3], op)};
  return make(input_shape, hwio, grouped, op);
}

Shape Conv2DGeometry::input_shape() const {
  return {batch, height.input_size(), width.input_size(), in_channels};
}

Shape Conv2DGeometry::filter_shape() const {
  return {height.kernel_size(), width.kernel_size(), in_channels_per_group(), out_channels};
}

Shape Conv2DGeometry::output_shape() const {
  return {batch, height.output_size(), width.output_size(), out_channels};
}

std::int64_t Conv2DGeometry::params(bool use_bias) const {
  const Origin where{"conv2d", {}, "parameter count"};
  const std::int64_t taps = checked_mul(height.kernel_size(), width.kernel_size(), where);
  const std::int64_t weights =
      checked_mul(checked_mul(taps, in_channels_per_group(), where), out_channels, where);
  return use_bias ? checked_add(weights, out_channels, where) : weights;
}

std::int64_t Conv2DGeometry::macs() const {
  const Origin where{"conv2d", {}, "MAC count"};
  const std::int64_t per_output =
      checked_mul(checked_mul(height.kernel_size(), width.kernel_size(), where),
                  in_channels_per_group(), where);
  const std::int64_t outputs = checked_mul(
      checked_mul(checked_mul(batch, height.output_size(), where), width.output_size(), where),
      out_channels, where);
  return checked_mul(outputs, per_output, where);
}

}  // namespace strider
