#include "strider/geometry/pool2d_geometry.hpp"

#include <fmt/format.h>

#include "strider/core/checked.hpp"
#include "strider/core/error.hpp"

namespace strider {

Pool2DGeometry Pool2DGeometry::make(std::span<const std::int64_t> input_shape,
                                    const Pool2DParams& params, std::string_view op) {
  require_rank(input_shape, 4, op, "input", "NHWC");
  shape_size(input_shape, "pool2d input");  // negative extents and overflow
  if (params.pool_size.h < 1 || params.pool_size.w < 1) {
    throw InvalidArgument(fmt::format("{}: pool size must be >= 1, got ({}, {})", op,
                                      params.pool_size.h, params.pool_size.w));
  }
  if (params.padding.kind != PaddingKind::kValid && params.padding.kind != PaddingKind::kSame) {
    throw InvalidArgument(fmt::format("{}: padding must be 'valid' or 'same', got '{}'", op,
                                      params.padding.to_string()));
  }
  const Pair2D s = params.effective_strides();
  Pool2DGeometry g;
  g.batch = input_shape[0];
  g.channels = input_shape[3];
  g.height = Window::make(input_shape[1], {params.pool_size.h, s.h, 1, params.padding.height()}, op,
                          "height");
  g.width = Window::make(input_shape[2], {params.pool_size.w, s.w, 1, params.padding.width()}, op,
                         "width");
  shape_size(g.output_shape(), "pool2d output");
  g.ops();
  return g;
}

Shape Pool2DGeometry::input_shape() const {
  return {batch, height.input_size(), width.input_size(), channels};
}

Shape Pool2DGeometry::output_shape() const {
  return {batch, height.output_size(), width.output_size(), channels};
}

std::int64_t Pool2DGeometry::ops() const {
  const std::int64_t window = checked_mul(height.kernel_size(), width.kernel_size(), "pool2d");
  return checked_mul(shape_size(output_shape(), "pool2d"), window, "pool2d: operation count");
}

}  // namespace strider
