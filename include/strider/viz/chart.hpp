// Line and scatter charts on a Scene (the experiment report's accuracy-vs-cost plots and training
// curves): axes with 1-2-5 or decade ticks, gridlines, a legend, one colour-blind-safe colour per
// series, optional error bars and point labels. The SVG, GIF and PNG writers draw the result.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "strider/viz/scene.hpp"

namespace strider::viz {

// One set of points. x, y and (when given) y_error and labels have the same size.
struct Series {
  std::string name;  // the legend's text; empty: not in the legend
  std::vector<double> x, y;
  std::vector<double> y_error;      // optional: error bars from y - e to y + e (e >= 0)
  std::vector<std::string> labels;  // optional: text beside each point ("" for none)
  bool lines = false;               // joins the points in the order given
  bool markers = true;
  std::optional<Color> color;  // default: series_color(index)
  bool dashed = false;
};

struct Chart {
  std::string title, x_label, y_label;
  std::vector<Series> series;
  bool log_x = false;  // decade ticks; every x must be > 0
  // The y axis covers [y_min, y_max] where given, moved outward (never inward) to hold every
  // point and error bar, so nothing is drawn outside the plot.
  std::optional<double> y_min, y_max;
  double width = 720, height = 440;
  // Tick text; empty: format_tick.
  std::function<std::string(double)> x_format, y_format;
};

// Where the plot area lies and how data map to it.
struct ChartLayout {
  double left = 0, top = 0, width = 0, height = 0;  // the plot area, pixels
  double x_lo = 0, x_hi = 1;  // x at the plot's left and right edges (log10 of x when log_x)
  double y_lo = 0, y_hi = 1;  // y at the plot's bottom and top edges
  bool log_x = false;
  std::vector<double> x_ticks, y_ticks;  // data values, inside the ranges above

  double x_px(double x) const;  // pixel column of data x
  double y_px(double y) const;  // pixel row of data y
};

// The i-th colour of the Okabe-Ito palette (distinct for the common colour-vision deficiencies),
// black and yellow last; cycles after 8.
Color series_color(std::size_t index);

// Up to `significant` significant digits, trailing zeros dropped, with k, M or G for thousands,
// millions and billions: 1500000 -> "1.5M", 250000 -> "250k", 0.25 -> "0.25", 92.5 -> "92.5".
std::string format_tick(double value, int significant = 3);

// Ticks on [lo, hi] at multiples of 1, 2 or 5 times a power of ten, the step chosen so that about
// `target` ticks (at least 2 where the range allows) fall inside. Throws InvalidArgument unless
// lo < hi, both finite, and target >= 1.
std::vector<double> nice_ticks(double lo, double hi, int target = 5);

// Ticks for a log axis on [lo, hi] (data values, 0 < lo < hi): powers of ten; where fewer than
// two fall inside, 1-2-5 multiples of them; over many decades, every n-th decade. Throws
// InvalidArgument unless 0 < lo < hi, finite.
std::vector<double> log_ticks(double lo, double hi);

// The layout draw_chart uses. Throws InvalidArgument for: no point in any series; x, y, y_error
// or labels of a series with sizes that differ; a non-finite value; a negative error; x <= 0 with
// log_x; y_min >= y_max; a size too small for the plot (under 160 x 120 pixels, or a legend that
// leaves the plot under 80 pixels wide).
ChartLayout layout_chart(const Chart& chart);

// The chart as a one-frame scene. Item roles (the SVG's class): "plot-area", "grid", "axis",
// "line", "error-bar", "marker" (Circle, point = (series index, point index)), "legend". Throws
// as layout_chart.
Scene draw_chart(const Chart& chart);

}  // namespace strider::viz
