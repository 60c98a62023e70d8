#include "strider/analysis/trace.hpp"

#include <gtest/gtest.h>

#include "strider/analysis/receptive_field.hpp"
#include "strider/core/error.hpp"
#include "strider/model/spec.hpp"

namespace strider::analysis {
namespace {

model::ResolvedModel resolved(std::string_view spec) {
  return model::resolve(model::parse_model_spec(spec));
}

TEST(Trace, TwoStackedWindowsCountPaths) {
  // 3x3 stride 1 twice: output (0, 0) sees rows 0..4; the centre pixel is reached by 3*3 paths,
  // a corner by one, an edge centre by 3.
  const model::ResolvedModel m = resolved("input(8,8,1); conv(1,3); conv(1,3)");
  const Trace t = trace_position(m, 2, 0, 0);
  const LayerRegion& in = t.input();
  EXPECT_EQ(in.rows, (Range{0, 4}));
  EXPECT_EQ(in.cols, (Range{0, 4}));
  EXPECT_EQ(in.paths_at(2, 2), 9);
  EXPECT_EQ(in.paths_at(0, 0), 1);
  EXPECT_EQ(in.paths_at(0, 2), 3);
  EXPECT_EQ(in.paths_at(1, 2), 6);
  ASSERT_EQ(t.regions.size(), 3u);
  EXPECT_EQ(t.regions[1].rows, (Range{0, 2}));
}

TEST(Trace, RegionMatchesTheReceptiveFieldClippedToTheInput) {
  const model::ResolvedModel m = resolved(
      "input(17,13,1); conv(1,3,strides=2,padding=same); maxpool(2); conv(1,3,dilation=2,"
      "padding=same)");
  const auto fields = receptive_fields(m);
  const Field& f = *fields.back();
  const Shape& out = m.layers.back().output_shape;
  for (std::int64_t y = 0; y < out[0]; ++y) {
    for (std::int64_t x = 0; x < out[1]; ++x) {
      const Trace t = trace_position(m, m.layers.size() - 1, y, x);
      const std::int64_t top = y * f.height.stride - f.height.padding;
      const std::int64_t left = x * f.width.stride - f.width.padding;
      // The traced region never leaves the field.
      EXPECT_GE(t.input().rows.first, std::max<std::int64_t>(top, 0)) << y << "," << x;
      EXPECT_LE(t.input().rows.last, top + f.height.size - 1);
      EXPECT_GE(t.input().cols.first, std::max<std::int64_t>(left, 0));
      EXPECT_LE(t.input().cols.last, left + f.width.size - 1);
    }
  }
}

TEST(Trace, StrideLargerThanKernelSkipsPixels) {
  const model::ResolvedModel m = resolved("input(9,9,1); conv(1,2,strides=3); conv(1,2)");
  const Trace t = trace_position(m, 2, 0, 0);
  // Rows 0, 1, 3, 4 are read; row 2 lies between the windows of the first layer.
  EXPECT_EQ(t.input().rows, (Range{0, 4}));
  EXPECT_EQ(t.input().paths_at(2, 0), 0);
  EXPECT_EQ(t.input().paths_at(3, 3), 1);
}

TEST(Trace, TransposedPaddingUpsamplingAndGlobalLayers) {
  const model::ResolvedModel m = resolved(
      "input(4,4,1); d: deconv(1,3,strides=2,padding=same); z: zeropad(1); u: upsample(2); g: gap");
  // Transposed 3x3 stride 2 SAME: output 8x8, pads 0 before; input i writes outputs 2i..2i+2,
  // so output 1 comes from input 0 alone and output 2 from inputs 0 and 1.
  const Trace t = trace_position(m, 1, 1, 1);
  EXPECT_EQ(t.input().rows, (Range{0, 0}));
  const Trace c = trace_position(m, 1, 2, 2);
  EXPECT_EQ(c.input().rows, (Range{0, 1}));
  EXPECT_EQ(c.input().paths_at(1, 1), 1);
  // The zero padding's border reads nothing.
  EXPECT_TRUE(trace_position(m, 2, 0, 0).input().rows.empty());
  // Upsampling: output (5, 5) of the 20x20 map is the padded map's (2, 2) -> deconv (1, 1).
  const Trace u = trace_position(m, 3, 5, 5);
  EXPECT_EQ(u.regions[1].rows, (Range{1, 1}));
  // Global pooling sees the whole input.
  const Trace g = trace_position(m, 4, 0, 0);
  EXPECT_EQ(g.input().rows, (Range{0, 3}));
  EXPECT_EQ(g.input().cols, (Range{0, 3}));
}

TEST(Trace, PositionOutsideTheOutputIsAnError) {
  const model::ResolvedModel m = resolved("input(8,8,1); conv(1,3)");
  EXPECT_THROW(trace_position(m, 1, 6, 0), InvalidArgument);
  EXPECT_THROW(trace_position(m, 1, 0, -1), InvalidArgument);
}

}  // namespace
}  // namespace strider::analysis
