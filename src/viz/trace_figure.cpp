// The receptive-field figure: layout and colours over analysis::Trace. Every region drawn is the
// trace's (and so comes from geometry's windows); this file only decides where grids go.
#include "strider/viz/trace_figure.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "strider/core/error.hpp"
#include "strider/viz/grid.hpp"

namespace strider::viz {
namespace {

constexpr double kMargin = 16;
constexpr double kPanelSize = 200;  // the longer side of a grid, at most, in pixels
constexpr double kGapX = 36, kGapY = 52;
constexpr double kLine = 18;
constexpr double kMaxWidth = 1000;                // grids wrap to a new row past this
constexpr std::int64_t kMaxDrawnCells = 64 * 64;  // above this a map is drawn as one box

std::string range_text(const analysis::Range& r) {
  return r.first == r.last ? fmt::format("{}", r.first) : fmt::format("{}..{}", r.first, r.last);
}

// Whether a layer changes where positions land: the input, a sliding window, or a new map size.
bool worth_a_panel(const model::ResolvedModel& model, const analysis::LayerRegion& region) {
  const model::ResolvedLayer& layer = model.layers[region.layer];
  if (layer.inputs.empty() || layer.height || layer.width) return true;
  const Shape& in = layer.input_shapes.front();
  const Shape& out = layer.output_shape;
  return in.size() != out.size() || (out.size() >= 2 && (in[0] != out[0] || in[1] != out[1]));
}

// Path counts span many orders of magnitude (9^depth for 3x3 stacks): shade on a log scale.
Color path_color(double paths, double most) {
  if (most <= 1) return heat_color(50, 100);  // one path everywhere: a plain middle shade
  const double t = std::log1p(paths) / std::log1p(most);
  return heat_color(1 + static_cast<std::int64_t>(std::lround(t * 99)), 100);
}

}  // namespace

TraceFigure draw_trace(const model::ResolvedModel& model, const analysis::Trace& trace,
                       const FigureOptions& options) {
  if (trace.regions.empty()) throw InvalidArgument("draw: the trace has no regions");
  std::vector<std::size_t> chosen;
  for (std::size_t i = 0; i < trace.regions.size(); ++i) {
    if (i == 0 || i + 1 == trace.regions.size() || worth_a_panel(model, trace.regions[i])) {
      chosen.push_back(i);
    }
  }
  TraceFigure figure;
  if (chosen.size() > kMaxTracePanels) {
    figure.omitted = chosen.size() - kMaxTracePanels;
    chosen.erase(chosen.begin() + 1,
                 chosen.begin() + 1 + static_cast<std::ptrdiff_t>(figure.omitted));
  }

  const model::Architecture& arch = model.architecture;
  const analysis::LayerRegion& input = trace.input();
  Scene& scene = figure.scene;
  scene.frame_ms = options.frame_ms;
  scene.frames = static_cast<std::int64_t>(chosen.size());
  scene.title = fmt::format("receptive field of {} at ({}, {})", arch.layers[trace.layer].name,
                            trace.y, trace.x);

  double y = kMargin;
  scene.add(Label{kMargin, y + kTitleSize / 2,
                  fmt::format("Receptive field of {} at ({}, {}): input rows {}, cols {}",
                              arch.layers[trace.layer].name, trace.y, trace.x,
                              range_text(input.rows), range_text(input.cols)),
                  kTitleSize, palette::kText, Anchor::kStart, Visible{}});
  y += kTitleSize + kLine / 2;
  std::string sub = "one grid per layer that moves windows, input first; darker: more paths";
  if (figure.omitted > 0) {
    sub += fmt::format(" ({} layers between the input and the first grid after it not drawn)",
                       figure.omitted);
  }
  scene.add(Label{kMargin, y + kTextSize / 2, sub, kTextSize, palette::kMuted, Anchor::kStart,
                  Visible{}});
  y += kLine + kLine;

  // Cell sizes: each grid's longer side fits kPanelSize, or --cell where that is smaller.
  double row_top = y, row_height = 0, x = kMargin, width = 0;
  for (std::size_t k = 0; k < chosen.size(); ++k) {
    const analysis::LayerRegion& r = trace.regions[chosen[k]];
    TracePanel panel;
    panel.region = chosen[k];
    panel.cells = r.height * r.width <= kMaxDrawnCells;
    const double longest = static_cast<double>(std::max(r.height, r.width));
    double cell = std::floor(kPanelSize / longest);
    if (options.cell > 0) cell = std::min(cell, options.cell);
    cell = std::clamp(cell, panel.cells ? 2.0 : 0.25, 24.0);
    if (!panel.cells) cell = kPanelSize / longest;
    if (k > 0 && x + std::max(cell * static_cast<double>(r.width), 120.0) > kMaxWidth) {
      row_top += row_height + kGapY;
      row_height = 0;
      x = kMargin;
    }
    panel.grid = GridPlacement{x, row_top + 2 * kLine, cell, r.height, r.width};
    x += std::max(panel.grid.width(), 120.0) + kGapX;
    width = std::max(width, x);
    row_height = std::max(row_height, 2 * kLine + panel.grid.height());
    figure.panels.push_back(panel);
  }
  scene.width = std::max(width, 560.0) + kMargin;
  scene.height = row_top + row_height + kMargin + kLine;

  // Frame f reveals the panel f steps back from the traced one.
  const auto n = static_cast<std::int64_t>(figure.panels.size());
  for (std::int64_t k = 0; k < n; ++k) {
    const TracePanel& panel = figure.panels[static_cast<std::size_t>(k)];
    const analysis::LayerRegion& r = trace.regions[panel.region];
    const GridPlacement& g = panel.grid;
    const Visible from{n - 1 - k};
    const std::string& name = arch.layers[r.layer].name;
    scene.add(Label{g.x, g.y - 1.5 * kLine, fmt::format("{} ({}x{})", name, r.height, r.width),
                    kTextSize, palette::kText, Anchor::kStart, Visible{}});
    scene.add(Label{g.x, g.y - 0.6 * kLine,
                    fmt::format("rows {}, cols {}", range_text(r.rows), range_text(r.cols)),
                    kTextSize, palette::kMuted, Anchor::kStart, from});
    const bool is_traced = k + 1 == n;
    if (!panel.cells) {
      // Too many cells to draw one by one: the map and its region as two boxes.
      Box map;
      map.x = g.x;
      map.y = g.y;
      map.w = g.width();
      map.h = g.height();
      map.fill = palette::kInput;
      map.stroke = palette::kGridLine;
      map.role = "map";
      scene.add(map);
      Box region;
      region.x = g.left(r.cols.first);
      region.y = g.top(r.rows.first);
      region.w = g.cell * static_cast<double>(r.cols.size());
      region.h = g.cell * static_cast<double>(r.rows.size());
      region.fill = palette::kTap;
      region.stroke = palette::kWindowLine;
      region.role = is_traced ? "traced" : "region";
      region.visible = from;
      scene.add(region);
      continue;
    }
    double most = 1;
    for (double p : r.paths) most = std::max(most, p);
    for (std::int64_t row = 0; row < r.height; ++row) {
      for (std::int64_t col = 0; col < r.width; ++col) {
        CellStyle plain;
        plain.fill = palette::kInput;
        plain.role = "cell";
        add_cell(scene, g, {row, col}, plain);
      }
    }
    for (std::int64_t row = r.rows.first; row <= r.rows.last; ++row) {
      for (std::int64_t col = r.cols.first; col <= r.cols.last; ++col) {
        CellStyle lit;
        lit.fill = is_traced ? palette::kTap : path_color(r.paths_at(row, col), most);
        lit.stroke = palette::kWindowLine;
        lit.role = is_traced ? "traced" : "region";
        add_cell(scene, g, {row, col}, lit, from);
      }
    }
    if (!r.rows.empty() && !r.cols.empty()) {
      add_outline(scene, g, {r.rows.first, r.cols.first}, {r.rows.last, r.cols.last},
                  palette::kWindowLine, 2, "outline", from);
    }
  }
  return figure;
}

}  // namespace strider::viz
