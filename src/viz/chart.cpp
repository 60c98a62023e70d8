// Charts: ranges and ticks from the data, then a layout of title, axes, plot and legend, then the
// items in paint order (grid under data, markers over lines, text last).
#include "strider/viz/chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "strider/core/error.hpp"
#include "strider/viz/grid.hpp"

namespace strider::viz {
namespace {

constexpr double kMargin = 14;
constexpr double kTickLength = 4;
constexpr double kMarkerRadius = 4;
constexpr double kLegendSwatch = 24;
constexpr double kLegendRow = 16;
constexpr double kMinPlotWidth = 80;
// Ranges from the data are widened by this fraction of their span on each side, so that no
// marker sits on an axis.
constexpr double kPad = 0.04;

constexpr Color kGridColor{225, 225, 225};
constexpr Color kAxisColor{96, 96, 96};
constexpr Color kLegendFrame{200, 200, 200};

// A 1-pixel line through the middle of a pixel row or column draws crisp in every writer.
double snap(double v) { return std::floor(v) + 0.5; }

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
};

void check_finite(double v, const char* what, std::size_t series, std::size_t point) {
  if (!std::isfinite(v)) {
    throw InvalidArgument(
        fmt::format("chart: series {} {}[{}] must be finite, got {}", series, what, point, v));
  }
}

// Widens [lo, hi] by kPad on the sides not pinned, or by a fixed amount when it is one value.
void pad(double& lo, double& hi, bool pin_lo, bool pin_hi) {
  if (lo == hi) {
    const double d = lo == 0 ? 1 : std::abs(lo) * 0.1;
    if (!pin_lo) lo -= d;
    if (!pin_hi) hi += d;
    if (lo == hi) hi += d;  // both pinned to one value
    return;
  }
  const double d = (hi - lo) * kPad;
  if (!pin_lo) lo -= d;
  if (!pin_hi) hi += d;
}

// Significant digits that tell ticks `step` apart, at least 3.
int tick_digits(const std::vector<double>& ticks) {
  if (ticks.size() < 2) return 3;
  double largest = 0, step = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < ticks.size(); ++i) {
    largest = std::max(largest, std::abs(ticks[i]));
    if (i > 0) step = std::min(step, ticks[i] - ticks[i - 1]);
  }
  if (largest == 0 || step <= 0) return 3;
  const double digits = std::floor(std::log10(largest)) - std::floor(std::log10(step)) + 1;
  return std::clamp(static_cast<int>(digits), 3, 15);
}

std::vector<std::string> tick_texts(const std::vector<double>& ticks,
                                    const std::function<std::string(double)>& format) {
  const int digits = tick_digits(ticks);
  std::vector<std::string> out;
  for (double t : ticks) out.push_back(format ? format(t) : format_tick(t, digits));
  return out;
}

double widest(const std::vector<std::string>& texts) {
  double w = 0;
  for (const std::string& t : texts) w = std::max(w, text_width(t, kTextSize));
  return w;
}

Color color_of(const Chart& chart, std::size_t i) {
  return chart.series[i].color ? *chart.series[i].color : series_color(i);
}

// Validates the chart and its series, and widens x and y to hold every point and error bar (x
// in log10 for log_x).
void data_ranges(const Chart& chart, Range& x, Range& y) {
  if (!std::isfinite(chart.width) || !std::isfinite(chart.height) || chart.width < 160 ||
      chart.height < 120) {
    throw InvalidArgument(fmt::format("chart: size must be at least 160 x 120 pixels, got {} x {}",
                                      chart.width, chart.height));
  }
  for (std::size_t s = 0; s < chart.series.size(); ++s) {
    const Series& series = chart.series[s];
    const std::size_t n = series.x.size();
    if (series.y.size() != n || (!series.y_error.empty() && series.y_error.size() != n) ||
        (!series.labels.empty() && series.labels.size() != n)) {
      throw InvalidArgument(fmt::format(
          "chart: series {} ('{}') has {} x, {} y, {} y_error and {} labels; y must match x, "
          "y_error and labels must be empty or match x",
          s, series.name, n, series.y.size(), series.y_error.size(), series.labels.size()));
    }
    for (std::size_t i = 0; i < n; ++i) {
      check_finite(series.x[i], "x", s, i);
      check_finite(series.y[i], "y", s, i);
      if (chart.log_x && series.x[i] <= 0) {
        throw InvalidArgument(fmt::format(
            "chart: series {} x[{}] must be > 0 on a log x axis, got {}", s, i, series.x[i]));
      }
      const double e = series.y_error.empty() ? 0 : series.y_error[i];
      check_finite(e, "y_error", s, i);
      if (e < 0) {
        throw InvalidArgument(
            fmt::format("chart: series {} y_error[{}] must be >= 0, got {}", s, i, e));
      }
      x.add(chart.log_x ? std::log10(series.x[i]) : series.x[i]);
      y.add(series.y[i] - e);
      y.add(series.y[i] + e);
    }
  }
  if (x.lo > x.hi) throw InvalidArgument("chart: no series has a point to draw");
  for (const auto& [bound, name] : {std::pair{chart.y_min, "y_min"}, {chart.y_max, "y_max"}}) {
    if (bound && !std::isfinite(*bound)) {
      throw InvalidArgument(fmt::format("chart: {} must be finite, got {}", name, *bound));
    }
  }
  if (chart.y_min && chart.y_max && *chart.y_min >= *chart.y_max) {
    throw InvalidArgument(
        fmt::format("chart: y_min must be < y_max, got {} and {}", *chart.y_min, *chart.y_max));
  }
}

bool has_legend(const Chart& chart) {
  return std::any_of(chart.series.begin(), chart.series.end(),
                     [](const Series& s) { return !s.name.empty(); });
}

double legend_width(const Chart& chart) {
  double w = 0;
  for (const Series& s : chart.series) w = std::max(w, text_width(s.name, kTextSize));
  return 6 + kLegendSwatch + 6 + w + 6;
}

// Rows of text above the plot: the title, then the y axis's name.
double plot_top(const Chart& chart) {
  double y = kMargin;
  if (!chart.title.empty()) y += kTitleSize + 10;
  if (!chart.y_label.empty()) y += kTextSize + 10;
  return y + kMarkerRadius;
}

// 10^k, exact where the double can be: 10^-2 as 1 / 100, which reads back as 0.01.
double power_of_ten(int k) { return k >= 0 ? std::pow(10.0, k) : 1 / std::pow(10.0, -k); }

}  // namespace

double ChartLayout::x_px(double x) const {
  const double v = log_x ? std::log10(x) : x;
  return left + width * (v - x_lo) / (x_hi - x_lo);
}

double ChartLayout::y_px(double y) const { return top + height * (y_hi - y) / (y_hi - y_lo); }

Color series_color(std::size_t index) {
  // Okabe & Ito, "Color Universal Design" (2008), ordered for contrast on white.
  static constexpr std::array<Color, 8> kColors = {{{0, 114, 178},
                                                    {213, 94, 0},
                                                    {0, 158, 115},
                                                    {204, 121, 167},
                                                    {230, 159, 0},
                                                    {86, 180, 233},
                                                    {0, 0, 0},
                                                    {240, 228, 66}}};
  return kColors[index % kColors.size()];
}

std::string format_tick(double value, int significant) {
  if (!std::isfinite(value)) return fmt::format("{}", value);
  significant = std::clamp(significant, 1, 17);
  if (value == 0) return "0";
  // Round first, so that 999999 becomes "1M", not "1000k".
  const double exponent = std::floor(std::log10(std::abs(value)));
  const double unit = std::pow(10.0, exponent - significant + 1);
  const double rounded = std::round(value / unit) * unit;
  static constexpr std::array<std::pair<double, const char*>, 3> kSuffixes = {
      {{1e9, "G"}, {1e6, "M"}, {1e3, "k"}}};
  double mantissa = rounded;
  const char* suffix = "";
  for (const auto& [scale, name] : kSuffixes) {
    if (std::abs(rounded) >= scale) {
      mantissa = rounded / scale;
      suffix = name;
      break;
    }
  }
  const int whole_digits = static_cast<int>(std::floor(std::log10(std::abs(mantissa)))) + 1;
  const int decimals = std::max(0, significant - whole_digits);
  std::string text = fmt::format("{:.{}f}", mantissa, decimals);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  if (text == "-0") text = "0";
  text += suffix;
  return text;
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || lo >= hi || target < 1) {
    throw InvalidArgument(fmt::format(
        "nice_ticks: need finite lo < hi and target >= 1, got [{}, {}] and {}", lo, hi, target));
  }
  static constexpr std::array<double, 3> kSteps = {1, 2, 5};
  const double raw = (hi - lo) / target;
  auto power = static_cast<int>(std::floor(std::log10(raw)));
  int m = 0;  // step = kSteps[m] * 10^power
  while (kSteps[static_cast<std::size_t>(m)] * std::pow(10.0, power) < raw * (1 - 1e-9)) {
    if (++m == 3) {
      m = 0;
      ++power;
    }
  }
  // A step that leaves fewer than two ticks inside moves down the 1-2-5 ladder.
  for (int attempt = 0; attempt < 8; ++attempt) {
    const double step = kSteps[static_cast<std::size_t>(m)] * std::pow(10.0, power);
    const double slack = step * 1e-9;
    const auto first = static_cast<std::int64_t>(std::ceil((lo - slack) / step));
    const auto last = static_cast<std::int64_t>(std::floor((hi + slack) / step));
    if (last - first + 1 >= 2 || attempt == 7) {
      std::vector<double> ticks;
      for (std::int64_t k = first; k <= last; ++k) {
        // k * step and a decimal-exact division keep 0.1 * 3 from printing as 0.30000000000000004.
        const double v = power >= 0 ? static_cast<double>(k) * step
                                    : static_cast<double>(k) * kSteps[static_cast<std::size_t>(m)] /
                                          std::pow(10.0, -power);
        ticks.push_back(v == 0 ? 0.0 : v);
      }
      return ticks;
    }
    if (--m < 0) {
      m = 2;
      --power;
    }
  }
  return {};
}

std::vector<double> log_ticks(double lo, double hi) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || lo <= 0 || lo >= hi) {
    throw InvalidArgument(fmt::format("log_ticks: need finite 0 < lo < hi, got [{}, {}]", lo, hi));
  }
  const double llo = std::log10(lo), lhi = std::log10(hi);
  const auto first = static_cast<int>(std::ceil(llo - 1e-9));
  const auto last = static_cast<int>(std::floor(lhi + 1e-9));
  std::vector<double> ticks;
  if (last - first + 1 >= 2) {
    const int every = (last - first) / 8 + 1;
    for (int k = first; k <= last; k += every) ticks.push_back(power_of_ten(k));
    return ticks;
  }
  for (auto k = static_cast<int>(std::floor(llo)); k <= static_cast<int>(std::ceil(lhi)); ++k) {
    for (double m : {1.0, 2.0, 5.0}) {
      const double v = k >= 0 ? m * power_of_ten(k) : m / power_of_ten(-k);
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push_back(v);
    }
  }
  if (ticks.size() >= 2) return ticks;
  return nice_ticks(lo, hi, 4);
}

ChartLayout layout_chart(const Chart& chart) {
  Range x, y;
  data_ranges(chart, x, y);
  ChartLayout layout;
  layout.log_x = chart.log_x;

  layout.y_lo = chart.y_min ? std::min(*chart.y_min, y.lo) : y.lo;
  layout.y_hi = chart.y_max ? std::max(*chart.y_max, y.hi) : y.hi;
  pad(layout.y_lo, layout.y_hi, chart.y_min && *chart.y_min <= y.lo,
      chart.y_max && *chart.y_max >= y.hi);
  layout.x_lo = x.lo;
  layout.x_hi = x.hi;
  if (chart.log_x && x.lo == x.hi) {
    layout.x_lo -= 0.5;
    layout.x_hi += 0.5;
  } else {
    pad(layout.x_lo, layout.x_hi, false, false);
  }

  layout.top = plot_top(chart);
  double bottom = chart.height - kMargin - (kTickLength + 4 + kTextSize);
  if (!chart.x_label.empty()) bottom -= kTextSize + 10;
  layout.height = bottom - layout.top;
  if (layout.height < 40) {
    throw InvalidArgument(fmt::format("chart: height {} leaves {} pixels for the plot, need 40",
                                      chart.height, layout.height));
  }
  layout.y_ticks =
      nice_ticks(layout.y_lo, layout.y_hi, std::max(2, static_cast<int>(layout.height / 50)));

  layout.left = kMargin + widest(tick_texts(layout.y_ticks, chart.y_format)) + kTickLength + 4;
  // Room on the right for half of the last x tick's text, then the legend.
  double right = chart.width - kMargin - 16;
  if (has_legend(chart)) right -= legend_width(chart) + 12;
  layout.width = right - layout.left;
  if (layout.width < kMinPlotWidth) {
    throw InvalidArgument(fmt::format(
        "chart: width {} leaves {} pixels for the plot beside its axis and legend, need {}",
        chart.width, layout.width, kMinPlotWidth));
  }
  if (chart.log_x) {
    layout.x_ticks = log_ticks(std::pow(10.0, layout.x_lo), std::pow(10.0, layout.x_hi));
  } else {
    layout.x_ticks =
        nice_ticks(layout.x_lo, layout.x_hi, std::max(2, static_cast<int>(layout.width / 90)));
  }
  return layout;
}

Scene draw_chart(const Chart& chart) {
  const ChartLayout layout = layout_chart(chart);
  const double left = layout.left, top = layout.top;
  const double right = left + layout.width, bottom = top + layout.height;
  Scene scene;
  scene.width = chart.width;
  scene.height = chart.height;
  scene.title = chart.title;

  Box area;
  area.x = left;
  area.y = top;
  area.w = layout.width;
  area.h = layout.height;
  area.role = "plot-area";
  scene.add(area);

  const auto line = [&scene](double x1, double y1, double x2, double y2, Color c, double w,
                             const char* role) {
    Line l;
    l.x1 = x1;
    l.y1 = y1;
    l.x2 = x2;
    l.y2 = y2;
    l.color = c;
    l.width = w;
    l.role = role;
    scene.add(l);
  };

  // Grid and axes.
  const std::vector<std::string> x_texts = tick_texts(layout.x_ticks, chart.x_format);
  const std::vector<std::string> y_texts = tick_texts(layout.y_ticks, chart.y_format);
  for (double t : layout.x_ticks) {
    const double px = snap(layout.x_px(t));
    line(px, top, px, bottom, kGridColor, 1, "grid");
  }
  for (double t : layout.y_ticks) {
    const double py = snap(layout.y_px(t));
    line(left, py, right, py, kGridColor, 1, "grid");
  }
  const double axis_x = snap(left), axis_y = snap(bottom);
  line(axis_x, top, axis_x, axis_y, kAxisColor, 1, "axis");
  line(axis_x, axis_y, right, axis_y, kAxisColor, 1, "axis");
  for (std::size_t i = 0; i < layout.x_ticks.size(); ++i) {
    const double px = snap(layout.x_px(layout.x_ticks[i]));
    line(px, axis_y, px, axis_y + kTickLength, kAxisColor, 1, "axis");
    scene.add(Label{px, axis_y + kTickLength + 4 + kTextSize / 2, x_texts[i], kTextSize,
                    palette::kText, Anchor::kMiddle, Visible{}});
  }
  for (std::size_t i = 0; i < layout.y_ticks.size(); ++i) {
    const double py = snap(layout.y_px(layout.y_ticks[i]));
    line(axis_x - kTickLength, py, axis_x, py, kAxisColor, 1, "axis");
    scene.add(Label{axis_x - kTickLength - 4, py, y_texts[i], kTextSize, palette::kText,
                    Anchor::kEnd, Visible{}});
  }

  // Data: error bars and lines under markers, every series' markers over every line.
  for (std::size_t s = 0; s < chart.series.size(); ++s) {
    const Series& series = chart.series[s];
    const Color c = color_of(chart, s);
    for (std::size_t i = 0; i < series.y_error.size(); ++i) {
      if (series.y_error[i] == 0) continue;
      const double px = layout.x_px(series.x[i]);
      const double y0 = layout.y_px(series.y[i] - series.y_error[i]);
      const double y1 = layout.y_px(series.y[i] + series.y_error[i]);
      line(px, y0, px, y1, c, 1.5, "error-bar");
      line(px - 3, y0, px + 3, y0, c, 1.5, "error-bar");
      line(px - 3, y1, px + 3, y1, c, 1.5, "error-bar");
    }
    if (!series.lines) continue;
    for (std::size_t i = 1; i < series.x.size(); ++i) {
      Line l;
      l.x1 = layout.x_px(series.x[i - 1]);
      l.y1 = layout.y_px(series.y[i - 1]);
      l.x2 = layout.x_px(series.x[i]);
      l.y2 = layout.y_px(series.y[i]);
      l.color = c;
      l.width = 2;
      if (series.dashed) l.dash = 6;
      l.role = "line";
      scene.add(l);
    }
  }
  for (std::size_t s = 0; s < chart.series.size(); ++s) {
    const Series& series = chart.series[s];
    if (!series.markers) continue;
    for (std::size_t i = 0; i < series.x.size(); ++i) {
      Circle m;
      m.cx = layout.x_px(series.x[i]);
      m.cy = layout.y_px(series.y[i]);
      m.r = kMarkerRadius;
      m.fill = color_of(chart, s);
      m.stroke = Color{255, 255, 255};
      m.stroke_width = 1;
      m.role = "marker";
      m.point = std::pair{static_cast<std::int64_t>(s), static_cast<std::int64_t>(i)};
      scene.add(m);
    }
  }
  // Point labels above and right of their point, flipped to stay inside the plot.
  for (const Series& series : chart.series) {
    for (std::size_t i = 0; i < series.labels.size(); ++i) {
      const std::string& text = series.labels[i];
      if (text.empty()) continue;
      const double px = layout.x_px(series.x[i]), py = layout.y_px(series.y[i]);
      const double w = text_width(text, kTextSize);
      const double gap = kMarkerRadius + 3;
      double lx = px + gap;
      Anchor anchor = Anchor::kStart;
      if (lx + w > right) {
        lx = px - gap;
        anchor = Anchor::kEnd;
        if (lx - w < left) {
          lx = std::max(left + 2, right - 2 - w);
          anchor = Anchor::kStart;
        }
      }
      double ly = py - gap - kTextSize / 2;
      if (ly - kTextSize / 2 < top) ly = py + gap + kTextSize / 2;
      scene.add(Label{lx, ly, text, kTextSize, palette::kText, anchor, Visible{}});
    }
  }

  // Text around the plot.
  double y = kMargin;
  if (!chart.title.empty()) {
    scene.add(Label{kMargin, y + kTitleSize / 2, chart.title, kTitleSize, palette::kText,
                    Anchor::kStart, Visible{}});
    y += kTitleSize + 10;
  }
  if (!chart.y_label.empty()) {
    scene.add(Label{kMargin, y + kTextSize / 2, chart.y_label, kTextSize, palette::kText,
                    Anchor::kStart, Visible{}});
  }
  if (!chart.x_label.empty()) {
    scene.add(Label{(left + right) / 2, chart.height - kMargin - kTextSize / 2, chart.x_label,
                    kTextSize, palette::kText, Anchor::kMiddle, Visible{}});
  }

  if (has_legend(chart)) {
    std::size_t rows = 0;
    for (const Series& s : chart.series) rows += s.name.empty() ? 0 : 1;
    Box frame;
    frame.x = right + 16 + 12;
    frame.y = top;
    frame.w = legend_width(chart);
    frame.h = static_cast<double>(rows) * kLegendRow + 8;
    frame.fill = Color{255, 255, 255};
    frame.stroke = kLegendFrame;
    frame.role = "legend";
    scene.add(frame);
    double row_y = top + 4 + kLegendRow / 2;
    for (std::size_t s = 0; s < chart.series.size(); ++s) {
      const Series& series = chart.series[s];
      if (series.name.empty()) continue;
      const Color c = color_of(chart, s);
      const double x0 = frame.x + 6, x1 = x0 + kLegendSwatch;
      if (series.lines || !series.markers) {
        Line l;
        l.x1 = x0 + 1;
        l.y1 = row_y;
        l.x2 = x1 - 1;
        l.y2 = row_y;
        l.color = c;
        l.width = 2;
        if (series.dashed) l.dash = 6;
        l.role = "legend";
        scene.add(l);
      }
      if (series.markers) {
        Circle m;
        m.cx = (x0 + x1) / 2;
        m.cy = row_y;
        m.r = kMarkerRadius;
        m.fill = c;
        m.stroke = Color{255, 255, 255};
        m.role = "legend";
        scene.add(m);
      }
      scene.add(
          Label{x1 + 6, row_y, series.name, kTextSize, palette::kText, Anchor::kStart, Visible{}});
      row_y += kLegendRow;
    }
  }
  return scene;
}

}  // namespace strider::viz
