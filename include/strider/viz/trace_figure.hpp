// The receptive field of one output position drawn through a stack of layers: one grid per layer
// on the way back to the input, the region the output depends on filled (darker where more
// paths of window taps reach a pixel), revealed one layer per frame from the traced output back
// to the input. The regions are analysis::trace_position's, and so geometry's windows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "strider/analysis/trace.hpp"
#include "strider/model/resolve.hpp"
#include "strider/viz/scene.hpp"
#include "strider/viz/stride_figure.hpp"

namespace strider::viz {

// One grid of the figure: which region of the trace it shows and where it lies. `cells` is
// false when the layer's map is too large to draw cell by cell (then the region is one box).
struct TracePanel {
  std::size_t region = 0;  // index into Trace::regions
  GridPlacement grid;
  bool cells = true;
};

struct TraceFigure {
  Scene scene;
  std::vector<TracePanel> panels;  // input first, the traced layer last
  std::size_t omitted = 0;         // layers with windows between input and the first drawn panel
};

// At most this many grids; a longer trace keeps the input and the layers nearest the traced one.
inline constexpr std::size_t kMaxTracePanels = 12;

// Draws `trace` (of `model`). A grid is drawn for the input, for every layer with a sliding
// window or whose map size differs from its input's, and for the traced layer; frame f shows the
// panels from the traced one back f steps. Region cells have role "region" and their (row, col);
// the traced cell has role "traced". Throws InvalidArgument for a trace without a spatial input.
TraceFigure draw_trace(const model::ResolvedModel& model, const analysis::Trace& trace,
                       const FigureOptions& options = {});

}  // namespace strider::viz
