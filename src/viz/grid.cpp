// Grids of cells on a Scene, and the palette of the stride pictures.
#include "strider/viz/grid.hpp"

#include <algorithm>
#include <cmath>

namespace strider::viz {
namespace {

// Cell text is drawn only where it fits with a pixel to spare on each side.
bool fits(const std::string& text, double cell) {
  return !text.empty() && text_width(text, kTextSize) + 2 <= cell && kTextSize + 4 <= cell;
}

std::uint8_t mix(std::uint8_t a, std::uint8_t b, double t) {
  return static_cast<std::uint8_t>(std::lround(a + (b - a) * t));
}

}  // namespace

std::int64_t GridPlacement::center_x(std::int64_t col) const {
  return static_cast<std::int64_t>(std::floor(left(col) + cell / 2));
}

std::int64_t GridPlacement::center_y(std::int64_t row) const {
  return static_cast<std::int64_t>(std::floor(top(row) + cell / 2));
}

CellStyle cell_style(CellKind kind) {
  switch (kind) {
    case CellKind::kInput:
      return {palette::kInput, palette::kGridLine, std::nullopt, "", palette::kText, "input"};
    case CellKind::kPadding:
      return {palette::kPadding, palette::kPaddingLine, palette::kPaddingLine, "", palette::kText,
              "padding"};
    case CellKind::kInsertedZero:
      return {palette::kZero, palette::kZeroLine, std::nullopt, "0", palette::kZeroLine, "zero"};
  }
  return {};
}

CellStyle tap_style(CellKind kind) {
  CellStyle s = cell_style(kind);
  s.stroke = palette::kWindowLine;
  switch (kind) {
    case CellKind::kInput:
      s.fill = palette::kTap;
      s.role = "tap";
      break;
    case CellKind::kPadding:
      s.fill = palette::kTapOnPadding;
      s.hatch = palette::kTap;
      s.role = "tap-padding";
      break;
    case CellKind::kInsertedZero:
      s.fill = palette::kTapOnZero;
      s.text_color = palette::kText;
      s.role = "tap-zero";
      break;
  }
  return s;
}

Color heat_color(std::int64_t count, std::int64_t most) {
  const double t = most <= 1 ? 0.0
                             : static_cast<double>(std::clamp<std::int64_t>(count, 1, most) - 1) /
                                   static_cast<double>(most - 1);
  return {mix(palette::kHeatLow.r, palette::kHeatHigh.r, t),
          mix(palette::kHeatLow.g, palette::kHeatHigh.g, t),
          mix(palette::kHeatLow.b, palette::kHeatHigh.b, t)};
}

Color text_on(Color background) {
  // Rec. 601 luma: dark text on light cells, white on dark ones.
  const double luma = 0.299 * background.r + 0.587 * background.g + 0.114 * background.b;
  return luma < 140 ? Color{255, 255, 255} : palette::kText;
}

void add_cell(Scene& scene, const GridPlacement& grid, Cell cell, const CellStyle& style,
              Visible visible) {
  Box b;
  b.x = grid.left(cell.col);
  b.y = grid.top(cell.row);
  b.w = b.h = grid.cell;
  b.fill = style.fill;
  b.stroke = style.stroke;
  b.stroke_width = grid.cell >= 10 ? 1 : 0;
  b.hatch = style.hatch;
  b.role = style.role;
  b.cell = std::pair{cell.row, cell.col};
  b.visible = visible;
  const double middle_x = b.x + grid.cell / 2, middle_y = b.y + grid.cell / 2;
  scene.add(std::move(b));
  if (fits(style.text, grid.cell)) {
    scene.add(Label{middle_x, middle_y, style.text, kTextSize, style.text_color, Anchor::kMiddle,
                    visible});
  }
}

void add_outline(Scene& scene, const GridPlacement& grid, Cell first, Cell last, Color color,
                 double width, const std::string& role, Visible visible) {
  Box b;
  b.x = grid.left(first.col);
  b.y = grid.top(first.row);
  b.w = grid.left(last.col + 1) - b.x;
  b.h = grid.top(last.row + 1) - b.y;
  b.stroke = color;
  b.stroke_width = width;
  b.role = role;
  b.visible = visible;
  scene.add(std::move(b));
}

void add_col_labels(Scene& scene, const GridPlacement& grid,
                    const std::vector<std::string>& labels) {
  for (std::size_t c = 0; c < labels.size(); ++c) {
    if (!fits(labels[c], grid.cell)) continue;
    const auto col = static_cast<std::int64_t>(c);
    scene.add(Label{grid.left(col) + grid.cell / 2,
                    grid.y - kTextSize,
                    labels[c],
                    kTextSize,
                    palette::kMuted,
                    Anchor::kMiddle,
                    {}});
  }
}

void add_row_labels(Scene& scene, const GridPlacement& grid,
                    const std::vector<std::string>& labels) {
  for (std::size_t r = 0; r < labels.size(); ++r) {
    if (!fits(labels[r], grid.cell)) continue;
    const auto row = static_cast<std::int64_t>(r);
    scene.add(Label{grid.x - 4,
                    grid.top(row) + grid.cell / 2,
                    labels[r],
                    kTextSize,
                    palette::kMuted,
                    Anchor::kEnd,
                    {}});
  }
}

double add_legend(Scene& scene, double x, double y, const std::vector<LegendEntry>& entries) {
  constexpr double kSwatch = 14, kLine = 20;
  double at = y;
  for (const LegendEntry& e : entries) {
    Box b;
    b.x = x;
    b.y = at;
    b.w = b.h = kSwatch;
    b.fill = e.style.fill;
    b.stroke = e.style.stroke;
    b.hatch = e.style.hatch;
    b.role = "legend";
    scene.add(std::move(b));
    scene.add(Label{
        x + kSwatch + 8, at + kSwatch / 2, e.text, kTextSize, palette::kText, Anchor::kStart, {}});
    at += kLine;
  }
  return at - y;
}

}  // namespace strider::viz
