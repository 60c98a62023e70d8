#include "strider/geometry/conv2d_transpose_geometry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "strider/core/checked.hpp"
#include "strider/core/error.hpp"

namespace strider {
namespace {

std::string describe(const SizeRange& r) {
  if (r.empty()) return "none";
  if (r.min == r.max) return fmt::format("{}", r.min);
  return fmt::format("{}..{}", r.min, r.max);
}

// The output extent of one axis, and the forward window over it.
Window resolve_axis(std::int64_t in, const WindowSpec& spec,
                    std::optional<std::int64_t> explicit_size,
                    std::optional<std::int64_t> output_padding, std::string_view op,
                    std::string_view axis) {
  const SizeRange consistent = inverse_sizes(in, spec, op, axis);
  const Origin what{op, axis, "output size"};
  const std::int64_t effective = (spec.kernel_size - 1) * spec.dilation + 1;
  const auto fail = [&](std::int64_t size, std::string_view how) -> Window {
    throw ShapeError(fmt::format(
        "{}: output {} {} ({}) is inconsistent with input {} {}, stride {}, kernel {}, dilation {} "
        "and padding '{}'; consistent output sizes: {}",
        op, axis, size, how, axis, in, spec.stride, spec.kernel_size, spec.dilation,
        padding_kind_name(spec.padding.kind), describe(consistent)));
  };
  std::int64_t size = 0;
  if (output_padding) {
    const std::int64_t p = *output_padding;
    if (p < 0 || p >= spec.stride) {
      throw InvalidArgument(fmt::format(
          "{}: output_padding must be >= 0 and smaller than the stride ({}) on the {} axis, got {}",
          op, spec.stride, axis, p));
    }
    const std::int64_t span = checked_mul(std::max<std::int64_t>(in - 1, 0), spec.stride, what);
    switch (spec.padding.kind) {
      case PaddingKind::kSame:
        size = checked_add(span, effective - 2 * (effective / 2) + p, what);
        break;
      case PaddingKind::kExplicit:
        size = checked_add(consistent.empty() ? span : consistent.min, p, what);
        break;
      default:
        size = checked_add(span, checked_add(effective, p, what), what);
        break;
    }
    if (explicit_size && *explicit_size != size) {
      throw ShapeError(
          fmt::format("{}: output {} {} disagrees with output_padding {}, which gives {}", op, axis,
                      *explicit_size, p, size));
    }
    if (!consistent.contains(size)) return fail(size, fmt::format("from output_padding {}", p));
  } else if (explicit_size) {
    size = *explicit_size;
    if (!consistent.contains(size)) return fail(size, "requested");
  } else {
    const std::int64_t full = checked_mul(in, spec.stride, what);
    switch (spec.padding.kind) {
      case PaddingKind::kSame:
        size = full;
        break;
      case PaddingKind::kExplicit:
        size = consistent.min;
        break;
      default:
        size = checked_add(full, std::max<std::int64_t>(effective - spec.stride, 0), what);
        break;
    }
    if (!consistent.contains(size)) return fail(size, "Keras's default rule");
  }
  return Window::make(size, spec, op, axis);
}

}  // namespace

Conv2DTransposeGeometry Conv2DTransposeGeometry::make(std::span<const std::int64_t> input_shape,
                                                      std::span<const std::int64_t> filter_shape,
                                                      const Conv2DTransposeParams& params,
                                                      std::string_view op) {
  require_rank(input_shape, 4, op, "input", "NHWC");
  require_rank(filter_shape, 4, op, "filter", "[kh, kw, out, in]");
  shape_size(input_shape, "conv2d_transpose input");
  shape_size(filter_shape, "conv2d_transpose filter");
  if (filter_shape[0] < 1 || filter_shape[1] < 1 || filter_shape[2] < 1 || filter_shape[3] < 1) {
    throw ShapeError(
        fmt::format("{}: every filter dimension must be >= 1, got {} [kh, kw, out, in]", op,
                    format_shape(filter_shape)));
  }
  if (filter_shape[3] != input_shape[3]) {
    throw ShapeError(fmt::format(
        "{}: input channels ({}) must equal the filter's last dimension ({}); the filter is "
        "[kh, kw, out, in], as in tf.nn.conv2d_transpose",
        op, input_shape[3], filter_shape[3]));
  }
  Conv2DTransposeGeometry g;
  g.batch = input_shape[0];
  g.in_channels = input_shape[3];
  g.out_channels = filter_shape[2];
  const auto pick = [](const std::optional<Pair2D>& p, bool h) -> std::optional<std::int64_t> {
    if (!p) return std::nullopt;
    return h ? p->h : p->w;
  };
  g.height =
      resolve_axis(input_shape[1],
                   {filter_shape[0], params.strides.h, params.dilation.h, params.padding.height()},
                   pick(params.output_size, true), pick(params.output_padding, true), op, "height");
  g.width = resolve_axis(
      input_shape[2],
      {filter_shape[1], params.strides.w, params.dilation.w, params.padding.width()},
      pick(params.output_size, false), pick(params.output_padding, false), op, "width");
  shape_size(g.output_shape(), "conv2d_transpose output");
  g.params(true);
  g.macs();
  return g;
}

Shape Conv2DTransposeGeometry::input_shape() const {
  return {batch, height.output_size(), width.output_size(), in_channels};
}

Shape Conv2DTransposeGeometry::filter_shape() const {
  return {height.kernel_size(), width.kernel_size(), out_channels, in_channels};
}

Shape Conv2DTransposeGeometry::output_shape() const {
  return {batch, height.input_size(), width.input_size(), out_channels};
}

std::int64_t Conv2DTransposeGeometry::params(bool use_bias) const {
  const std::int64_t w = checked_product(filter_shape(), "conv2d_transpose: parameter count");
  return use_bias ? checked_add(w, out_channels, "conv2d_transpose: parameter count") : w;
}

std::int64_t Conv2DTransposeGeometry::macs() const {
  return checked_mul(shape_size(input_shape(), "conv2d_transpose"),
                     checked_product(filter_shape(), "conv2d_transpose: MAC count") / in_channels,
                     "conv2d_transpose: MAC count");
}

}  // namespace strider
