// The receptive-field figure against the trace: one grid per layer that moves windows, each grid's
// lit cells exactly the trace's region of that layer, revealed from the traced output backwards.
#include "strider/viz/trace_figure.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>
#include <variant>

#include "strider/model/spec.hpp"
#include "strider/viz/render.hpp"

namespace strider::viz {
namespace {

using CellSet = std::set<std::pair<std::int64_t, std::int64_t>>;

model::ResolvedModel resolved(const char* spec) {
  return model::resolve(model::parse_model_spec(spec));
}

bool inside(const Box& b, const GridPlacement& g) {
  return b.x >= g.x && b.y >= g.y && b.x < g.x + g.width() && b.y < g.y + g.height();
}

// The cells of `panel` drawn with `role`, and the first frame they appear in.
CellSet lit_cells(const TraceFigure& f, const TracePanel& panel, const std::string& role,
                  std::int64_t* first_frame = nullptr) {
  CellSet cells;
  for (const Item& item : f.scene.items) {
    const Box* b = std::get_if<Box>(&item);
    if (b == nullptr || b->role != role || !b->cell || !inside(*b, panel.grid)) continue;
    cells.insert(*b->cell);
    if (first_frame != nullptr) *first_frame = b->visible.first;
  }
  return cells;
}

CellSet region_cells(const analysis::LayerRegion& r) {
  CellSet cells;
  for (std::int64_t row = r.rows.first; row <= r.rows.last; ++row) {
    for (std::int64_t col = r.cols.first; col <= r.cols.last; ++col) cells.insert({row, col});
  }
  return cells;
}

TEST(TraceFigure, EveryGridLightsExactlyTheTracedRegion) {
  const model::ResolvedModel m = resolved(
      "input(11,11,1); c1: conv(2,3,strides=2); r: relu; c2: conv(2,3,padding=same); "
      "p: maxpool(2)");
  const std::size_t layer = m.architecture.index_of("p");
  const analysis::Trace trace = analysis::trace_position(m, layer, 1, 0);
  const TraceFigure f = draw_trace(m, trace);
  // input, c1, c2, p; the ReLU moves no window and keeps the size.
  ASSERT_EQ(f.panels.size(), 4u);
  EXPECT_EQ(f.scene.frames, 4);
  EXPECT_EQ(f.omitted, 0u);
  for (std::size_t k = 0; k + 1 < f.panels.size(); ++k) {
    const analysis::LayerRegion& r = trace.regions[f.panels[k].region];
    std::int64_t first = -1;
    EXPECT_EQ(lit_cells(f, f.panels[k], "region", &first), region_cells(r)) << "panel " << k;
    // Revealed one layer per frame, from the traced output back to the input.
    EXPECT_EQ(first, static_cast<std::int64_t>(f.panels.size() - 1 - k));
    EXPECT_EQ(f.panels[k].grid.rows, r.height);
    EXPECT_EQ(f.panels[k].grid.cols, r.width);
  }
  EXPECT_EQ(lit_cells(f, f.panels.back(), "traced"), (CellSet{{1, 0}}));
  // The pool at (1, 0) reads c2 rows 2..3; c2's SAME 3x3 widens that to c1 rows 1..4, which
  // c1's stride-2 3x3 windows take to input rows 2..10.
  EXPECT_EQ(trace.input().rows, (analysis::Range{2, 10}));
  EXPECT_EQ(trace.input().cols, (analysis::Range{0, 6}));
  const Image last = rasterize(f.scene, f.scene.frames - 1);
  EXPECT_GT(last.width, 0);
}

TEST(TraceFigure, LargeMapsAreOneBoxAndLongTracesKeepTheInput) {
  std::string spec = "input(160,160,1)";
  for (int i = 0; i < 16; ++i) spec += "; conv(1,3,padding=same)";
  const model::ResolvedModel m = resolved(spec.c_str());
  const analysis::Trace trace =
      analysis::trace_position(m, m.architecture.layers.size() - 1, 80, 80);
  const TraceFigure f = draw_trace(m, trace);
  ASSERT_EQ(f.panels.size(), kMaxTracePanels);
  EXPECT_EQ(f.omitted, 17u - kMaxTracePanels);
  EXPECT_EQ(f.panels.front().region, 0u);
  EXPECT_EQ(f.panels.back().region, trace.regions.size() - 1);
  // 160 x 160 cells are too many to draw one by one: the region is one box.
  EXPECT_FALSE(f.panels.front().cells);
  std::size_t region_boxes = 0;
  for (const Item& item : f.scene.items) {
    const Box* b = std::get_if<Box>(&item);
    if (b != nullptr && b->role == "region" && inside(*b, f.panels.front().grid)) ++region_boxes;
  }
  EXPECT_EQ(region_boxes, 1u);
}

}  // namespace
}  // namespace strider::viz
