// Grids of square cells on a Scene: where each cell lands in pixels, the palette every stride
// picture shares (so a legend means the same thing in every figure), and helpers that add cells,
// window outlines, index labels and legends. Figures of strides, coverage and (later) receptive
// fields through a model are all built from these.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "strider/viz/scene.hpp"
#include "strider/viz/stride_picture.hpp"

namespace strider::viz {

// Where a grid of rows x cols square cells of `cell` pixels lies; (x, y) is its top-left corner.
struct GridPlacement {
  double x = 0, y = 0;
  double cell = 24;
  std::int64_t rows = 0, cols = 0;

  double width() const { return cell * static_cast<double>(cols); }
  double height() const { return cell * static_cast<double>(rows); }
  double left(std::int64_t col) const { return x + cell * static_cast<double>(col); }
  double top(std::int64_t row) const { return y + cell * static_cast<double>(row); }
  // The pixel at the centre of a cell, rounded down: where tests and readers sample it.
  std::int64_t center_x(std::int64_t col) const;
  std::int64_t center_y(std::int64_t row) const;
};

// The colours of the stride pictures.
namespace palette {
inline constexpr Color kText{34, 34, 34};
inline constexpr Color kMuted{96, 96, 96};
inline constexpr Color kGridLine{127, 159, 191};
inline constexpr Color kInput{220, 233, 245};
inline constexpr Color kPadding{244, 244, 244};
inline constexpr Color kPaddingLine{190, 190, 190};
inline constexpr Color kZero{255, 244, 204};
inline constexpr Color kZeroLine{200, 170, 80};
inline constexpr Color kTap{242, 142, 43};
inline constexpr Color kTapOnPadding{251, 208, 166};
inline constexpr Color kTapOnZero{249, 178, 109};
inline constexpr Color kWindowLine{196, 65, 12};
inline constexpr Color kOutputEmpty{255, 255, 255};
inline constexpr Color kOutputLine{154, 165, 177};
inline constexpr Color kOutputDone{159, 211, 199};
inline constexpr Color kSkipped{247, 198, 199};
inline constexpr Color kSkippedLine{214, 39, 40};
inline constexpr Color kDropped{214, 39, 40};
inline constexpr Color kHeatLow{222, 235, 247};
inline constexpr Color kHeatHigh{8, 69, 148};
}  // namespace palette

// How one cell is drawn.
struct CellStyle {
  std::optional<Color> fill;
  Color stroke = palette::kGridLine;
  std::optional<Color> hatch;
  std::string text;  // drawn centred when it fits the cell
  Color text_color = palette::kText;
  std::string role;
};

// The style of a canvas cell of each kind, plain or read by the current window.
CellStyle cell_style(CellKind kind);
CellStyle tap_style(CellKind kind);

// Colour of `count` on the coverage scale 1..most (linear from kHeatLow to kHeatHigh), and the
// text colour that reads on it.
Color heat_color(std::int64_t count, std::int64_t most);
Color text_on(Color background);

// Text sizes (capital height in pixels) of titles and of everything else.
inline constexpr double kTitleSize = 14;
inline constexpr double kTextSize = 7;

void add_cell(Scene& scene, const GridPlacement& grid, Cell cell, const CellStyle& style,
              Visible visible = {});

// A rectangle around the cells from `first` to `last` (inclusive), outline only.
void add_outline(Scene& scene, const GridPlacement& grid, Cell first, Cell last, Color color,
                 double width, const std::string& role, Visible visible = {});

// Numbers above the columns and left of the rows: labels[i] for column/row i, empty strings
// skipped. Nothing is drawn when the cells are too small for the text.
void add_col_labels(Scene& scene, const GridPlacement& grid,
                    const std::vector<std::string>& labels);
void add_row_labels(Scene& scene, const GridPlacement& grid,
                    const std::vector<std::string>& labels);

struct LegendEntry {
  CellStyle style;
  std::string text;
};

// One swatch and its text per line, starting at (x, y); returns the height used.
double add_legend(Scene& scene, double x, double y, const std::vector<LegendEntry>& entries);

}  // namespace strider::viz
