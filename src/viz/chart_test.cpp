// Charts: ticks are 1-2-5 or decades and read well, markers land where their data say (checked
// against the tick labels drawn, on linear and log axes), legend, labels and bad input.
#include "strider/viz/chart.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>
#include <string>
#include <variant>

#include "strider/core/error.hpp"
#include "strider/viz/render.hpp"

namespace strider::viz {
namespace {

const Circle& marker(const Scene& scene, std::int64_t series, std::int64_t point) {
  for (const Item& item : scene.items) {
    const Circle* c = std::get_if<Circle>(&item);
    if (c != nullptr && c->role == "marker" && c->point == std::pair{series, point}) return *c;
  }
  ADD_FAILURE() << "no marker " << series << "," << point;
  static const Circle none;
  return none;
}

const Label* label(const Scene& scene, const std::string& text) {
  for (const Item& item : scene.items) {
    const Label* l = std::get_if<Label>(&item);
    if (l != nullptr && l->text == text) return l;
  }
  return nullptr;
}

const Box& box(const Scene& scene, const std::string& role) {
  for (const Item& item : scene.items) {
    const Box* b = std::get_if<Box>(&item);
    if (b != nullptr && b->role == role) return *b;
  }
  ADD_FAILURE() << "no box " << role;
  static const Box none;
  return none;
}

template <typename T>
std::vector<T> items_of(const Scene& scene, const std::string& role) {
  std::vector<T> out;
  for (const Item& item : scene.items) {
    const T* t = std::get_if<T>(&item);
    if (t != nullptr && t->role == role) out.push_back(*t);
  }
  return out;
}

// Left and right ends of a label's text.
std::pair<double, double> extent(const Label& l) {
  const double w = text_width(l.text, l.size);
  if (l.anchor == Anchor::kStart) return {l.x, l.x + w};
  if (l.anchor == Anchor::kEnd) return {l.x - w, l.x};
  return {l.x - w / 2, l.x + w / 2};
}

Series series(std::vector<double> x, std::vector<double> y, std::string name = "s") {
  Series s;
  s.name = std::move(name);
  s.x = std::move(x);
  s.y = std::move(y);
  return s;
}

TEST(FormatTick, UsesSiSuffixesAndAtMostTheSignificantDigitsAsked) {
  EXPECT_EQ(format_tick(0), "0");
  EXPECT_EQ(format_tick(1), "1");
  EXPECT_EQ(format_tick(0.25), "0.25");
  EXPECT_EQ(format_tick(0.001), "0.001");
  EXPECT_EQ(format_tick(0.1 + 0.2), "0.3");
  EXPECT_EQ(format_tick(92.5), "92.5");
  EXPECT_EQ(format_tick(92.25), "92.3");
  EXPECT_EQ(format_tick(92.25, 4), "92.25");
  EXPECT_EQ(format_tick(100), "100");
  EXPECT_EQ(format_tick(1000), "1k");
  EXPECT_EQ(format_tick(12345), "12.3k");
  EXPECT_EQ(format_tick(250000), "250k");
  EXPECT_EQ(format_tick(1e6), "1M");
  EXPECT_EQ(format_tick(1.5e6), "1.5M");
  EXPECT_EQ(format_tick(999999), "1M");  // rounds before choosing the suffix
  EXPECT_EQ(format_tick(1e8), "100M");
  EXPECT_EQ(format_tick(2e9), "2G");
  EXPECT_EQ(format_tick(-1500), "-1.5k");
  EXPECT_EQ(format_tick(-0.5), "-0.5");
}

TEST(NiceTicks, StepsAreOneTwoOrFiveTimesAPowerOfTen) {
  EXPECT_EQ(nice_ticks(0, 10, 5), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(nice_ticks(0.853, 0.921, 5), (std::vector<double>{0.86, 0.88, 0.9, 0.92}));
  EXPECT_EQ(nice_ticks(-3, 7, 2), (std::vector<double>{0, 5}));
  EXPECT_EQ(nice_ticks(0.3, 0.9, 1), (std::vector<double>{0.4, 0.6, 0.8}));  // at least two
  EXPECT_EQ(nice_ticks(1e6, 4e6, 3), (std::vector<double>{1e6, 2e6, 3e6, 4e6}));

  std::mt19937 rng(7);
  std::uniform_real_distribution<double> exponent(-4, 9), unit(0, 1);
  for (int trial = 0; trial < 500; ++trial) {
    const double scale = std::pow(10.0, exponent(rng));
    const double lo = (unit(rng) - 0.5) * scale, hi = lo + (0.01 + unit(rng)) * scale;
    const int target = 2 + trial % 7;
    const std::vector<double> ticks = nice_ticks(lo, hi, target);
    ASSERT_GE(ticks.size(), 2u) << lo << " " << hi;
    ASSERT_LE(ticks.size(), static_cast<std::size_t>(2 * target + 2)) << lo << " " << hi;
    const double step = ticks[1] - ticks[0];
    const double mantissa = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
    EXPECT_TRUE(std::abs(mantissa - 1) < 1e-6 || std::abs(mantissa - 2) < 1e-6 ||
                std::abs(mantissa - 5) < 1e-6)
        << step;
    for (std::size_t i = 0; i < ticks.size(); ++i) {
      EXPECT_GE(ticks[i], lo - step * 1e-6);
      EXPECT_LE(ticks[i], hi + step * 1e-6);
      EXPECT_NEAR(std::remainder(ticks[i], step), 0, step * 1e-6);
      if (i > 0) {
        EXPECT_NEAR(ticks[i] - ticks[i - 1], step, step * 1e-6);
      }
    }
  }
  EXPECT_THROW(nice_ticks(1, 1), InvalidArgument);
  EXPECT_THROW(nice_ticks(2, 1), InvalidArgument);
  EXPECT_THROW(nice_ticks(0, NAN), InvalidArgument);
  EXPECT_THROW(nice_ticks(0, 1, 0), InvalidArgument);
}

TEST(LogTicks, DecadesThenOneTwoFiveWithinADecade) {
  EXPECT_EQ(log_ticks(2e5, 3e8), (std::vector<double>{1e6, 1e7, 1e8}));
  EXPECT_EQ(log_ticks(0.005, 0.2), (std::vector<double>{0.01, 0.1}));
  EXPECT_EQ(log_ticks(1.5, 9), (std::vector<double>{2, 5}));
  EXPECT_EQ(log_ticks(0.15, 0.9), (std::vector<double>{0.2, 0.5}));
  // Inside one 1-2-5 gap: linear nice ticks.
  EXPECT_EQ(log_ticks(3, 4.5), (std::vector<double>{3, 3.5, 4, 4.5}));
  const std::vector<double> wide = log_ticks(1, 1e20);
  EXPECT_EQ(wide.size(), 7u);  // every third decade
  EXPECT_EQ(wide[1], 1e3);
  EXPECT_THROW(log_ticks(0, 10), InvalidArgument);
  EXPECT_THROW(log_ticks(10, 1), InvalidArgument);
  EXPECT_THROW(log_ticks(1, INFINITY), InvalidArgument);
}

TEST(SeriesColor, EightDistinctColoursThenCycles) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < 8; ++i) seen.insert(series_color(i).hex());
  EXPECT_EQ(seen.size(), 8u);
  EXPECT_EQ(series_color(8), series_color(0));
}

TEST(Chart, LinearMarkersLandAtTheirTickLabels) {
  Chart chart;
  chart.title = "accuracy";
  chart.x_label = "epoch";
  chart.y_label = "accuracy (%)";
  chart.series.push_back(series({0, 5, 10}, {0, 50, 100}, "a"));
  chart.series.push_back(series({2.5}, {25}, "b"));
  const Scene scene = draw_chart(chart);
  const Circle& m0 = marker(scene, 0, 0);
  const Circle& m1 = marker(scene, 0, 1);
  const Circle& m2 = marker(scene, 0, 2);
  const Circle& b0 = marker(scene, 1, 0);
  EXPECT_NEAR(m1.cx - m0.cx, m2.cx - m1.cx, 1e-9);
  EXPECT_NEAR(m1.cy - m0.cy, m2.cy - m1.cy, 1e-9);
  EXPECT_LT(m2.cy, m0.cy);  // larger y is higher up
  EXPECT_NEAR(b0.cx, (m0.cx + m1.cx) / 2, 1e-9);
  EXPECT_NEAR(b0.cy, (m0.cy + m1.cy) / 2, 1e-9);
  // The tick labels drawn name the data at the markers (gridlines sit on pixel centres, so within
  // half a pixel).
  for (const auto& [text, at] : {std::pair{"0", &m0}, {"10", &m2}}) {
    const Label* l = label(scene, text);
    ASSERT_NE(l, nullptr) << text;
    EXPECT_NEAR(l->x, at->cx, 0.5) << text;
  }
  const Label* y100 = label(scene, "100");
  ASSERT_NE(y100, nullptr);
  EXPECT_NEAR(y100->y, m2.cy, 0.5);
  EXPECT_EQ(m0.fill, series_color(0));
  EXPECT_EQ(b0.fill, series_color(1));

  const Box& area = box(scene, "plot-area");
  for (const Circle* m : {&m0, &m1, &m2, &b0}) {
    EXPECT_GT(m->cx - m->r, area.x);
    EXPECT_LT(m->cx + m->r, area.x + area.w);
    EXPECT_GT(m->cy - m->r, area.y);
    EXPECT_LT(m->cy + m->r, area.y + area.h);
  }
  const ChartLayout layout = layout_chart(chart);
  EXPECT_DOUBLE_EQ(layout.x_px(5), m1.cx);
  EXPECT_DOUBLE_EQ(layout.y_px(50), m1.cy);
  EXPECT_EQ(layout.left, area.x);

  // The rasterizer paints each marker's centre in its series' colour.
  const Image image = rasterize(scene, 0);
  for (const Circle* m : {&m0, &m1, &m2, &b0}) {
    EXPECT_EQ(image.at(static_cast<std::int64_t>(m->cx), static_cast<std::int64_t>(m->cy)),
              *m->fill);
  }
}

TEST(Chart, LogXPutsDecadesEvenlyAndLabelsThemWithSuffixes) {
  Chart chart;
  chart.log_x = true;
  chart.series.push_back(series({1e6, 1e7, 1e8, 3e7}, {0.8, 0.9, 0.92, 0.91}, "conv"));
  const Scene scene = draw_chart(chart);
  const Circle& a = marker(scene, 0, 0);
  const Circle& b = marker(scene, 0, 1);
  const Circle& c = marker(scene, 0, 2);
  const Circle& d = marker(scene, 0, 3);
  EXPECT_NEAR(b.cx - a.cx, c.cx - b.cx, 1e-9);
  EXPECT_NEAR((d.cx - b.cx) / (c.cx - b.cx), std::log10(3.0), 1e-9);
  for (const auto& [text, at] : {std::pair{"1M", &a}, {"10M", &b}, {"100M", &c}}) {
    const Label* l = label(scene, text);
    ASSERT_NE(l, nullptr) << text;
    EXPECT_NEAR(l->x, at->cx, 0.5) << text;
  }
  EXPECT_EQ(layout_chart(chart).x_ticks, (std::vector<double>{1e6, 1e7, 1e8}));
}

TEST(Chart, LegendNamesEverySeriesInItsColourBesideThePlot) {
  Chart chart;
  chart.series.push_back(series({1, 2}, {1, 2}, "stride 1 + max pool"));
  chart.series.push_back(series({1, 2}, {2, 1}, "stride 2"));
  chart.series[1].lines = true;
  chart.series[1].dashed = true;
  chart.series.push_back(series({1.5}, {1.5}, ""));  // unnamed: not in the legend
  const Scene scene = draw_chart(chart);
  const Box& frame = box(scene, "legend");
  const Box& area = box(scene, "plot-area");
  EXPECT_GT(frame.x, area.x + area.w);
  EXPECT_LE(frame.x + frame.w, chart.width);
  for (const char* name : {"stride 1 + max pool", "stride 2"}) {
    const Label* l = label(scene, name);
    ASSERT_NE(l, nullptr) << name;
    EXPECT_GT(l->x, frame.x);
    EXPECT_LE(extent(*l).second, frame.x + frame.w);
  }
  const auto swatches = items_of<Circle>(scene, "legend");
  ASSERT_EQ(swatches.size(), 2u);
  EXPECT_EQ(swatches[0].fill, series_color(0));
  EXPECT_EQ(swatches[1].fill, series_color(1));
  const auto lines = items_of<Line>(scene, "legend");
  ASSERT_EQ(lines.size(), 1u);  // only the series drawn with lines shows one
  EXPECT_EQ(lines[0].color, series_color(1));
  EXPECT_TRUE(lines[0].dash.has_value());

  chart.series[0].name.clear();
  chart.series[1].name.clear();
  const Scene bare = draw_chart(chart);
  EXPECT_TRUE(items_of<Box>(bare, "legend").empty());
  EXPECT_GT(box(bare, "plot-area").w, area.w);  // the plot takes the legend's room
}

TEST(Chart, LinesJoinPointsInOrderAndErrorBarsSpanTheError) {
  Chart chart;
  Series s = series({1, 2, 3}, {0.5, 0.7, 0.6});
  s.lines = true;
  s.y_error = {0.1, 0, 0.05};
  s.color = Color{1, 2, 3};
  chart.series.push_back(s);
  const Scene scene = draw_chart(chart);
  const ChartLayout layout = layout_chart(chart);
  const auto segments = items_of<Line>(scene, "line");
  ASSERT_EQ(segments.size(), 2u);
  EXPECT_DOUBLE_EQ(segments[0].x1, layout.x_px(1));
  EXPECT_DOUBLE_EQ(segments[0].y2, layout.y_px(0.7));
  EXPECT_DOUBLE_EQ(segments[1].x2, layout.x_px(3));
  EXPECT_EQ(segments[0].color, (Color{1, 2, 3}));
  EXPECT_FALSE(segments[0].dash.has_value());
  const auto bars = items_of<Line>(scene, "error-bar");
  ASSERT_EQ(bars.size(), 6u);  // a bar and two caps per non-zero error
  EXPECT_DOUBLE_EQ(bars[0].y1, layout.y_px(0.4));
  EXPECT_DOUBLE_EQ(bars[0].y2, layout.y_px(0.6));
  EXPECT_DOUBLE_EQ(bars[3].x1, layout.x_px(3));
  // The y range holds the error bars.
  EXPECT_LT(layout.y_lo, 0.4);
  EXPECT_GT(layout.y_hi, 0.7);
}

TEST(Chart, YBoundsAreKeptAndOnlyEverWidened) {
  Chart chart;
  chart.series.push_back(series({1, 2}, {0.8, 0.9}));
  chart.y_min = 0;
  chart.y_max = 1;
  ChartLayout layout = layout_chart(chart);
  EXPECT_EQ(layout.y_lo, 0);
  EXPECT_EQ(layout.y_hi, 1);
  EXPECT_EQ(layout.y_ticks.front(), 0);
  EXPECT_EQ(layout.y_ticks.back(), 1);
  chart.y_max = 0.85;
  layout = layout_chart(chart);
  EXPECT_GT(layout.y_hi, 0.9);
  const Scene scene = draw_chart(chart);
  EXPECT_GT(marker(scene, 0, 1).cy, box(scene, "plot-area").y);
}

TEST(Chart, PointLabelsAndAllTextStayInsideTheirPlace) {
  Chart chart;
  chart.title = "accuracy vs MACs";
  chart.x_label = "MACs";
  chart.y_label = "test accuracy";
  chart.log_x = true;
  Series s = series({1e5, 3e6, 2e8}, {0.95, 0.5, 0.99}, "variants");
  s.labels = {"no downsampling", "", "stride larger than kernel"};
  chart.series.push_back(s);
  const Scene scene = draw_chart(chart);
  const Box& area = box(scene, "plot-area");
  for (const char* text : {"no downsampling", "stride larger than kernel"}) {
    const Label* l = label(scene, text);
    ASSERT_NE(l, nullptr) << text;
    const auto [x0, x1] = extent(*l);
    EXPECT_GE(x0, area.x) << text;
    EXPECT_LE(x1, area.x + area.w) << text;
    EXPECT_GE(l->y - l->size / 2, area.y) << text;
    EXPECT_LE(l->y + l->size / 2, area.y + area.h) << text;
  }
  for (const Item& item : scene.items) {
    if (const Label* l = std::get_if<Label>(&item)) {
      const auto [x0, x1] = extent(*l);
      EXPECT_GE(x0, 0) << l->text;
      EXPECT_LE(x1, chart.width) << l->text;
      EXPECT_GE(l->y - l->size / 2, 0) << l->text;
      EXPECT_LE(l->y + l->size / 2, chart.height) << l->text;
    }
  }
}

TEST(Chart, SvgHasMarkersLinesAndTitle) {
  Chart chart;
  chart.title = "curves";
  Series s = series({1, 2}, {3, 4});
  s.lines = true;
  chart.series.push_back(s);
  const std::string svg = to_svg(draw_chart(chart));
  EXPECT_NE(svg.find("<title>curves</title>"), std::string::npos);
  EXPECT_NE(svg.find("<circle class=\"marker\" data-point=\"0,1\""), std::string::npos);
  EXPECT_NE(svg.find("<line class=\"line\""), std::string::npos);
  EXPECT_NE(svg.find("<line class=\"grid\""), std::string::npos);
  EXPECT_NE(svg.find("<line class=\"axis\""), std::string::npos);
}

TEST(Chart, RejectsBadSeriesAndSizes) {
  const auto with = [](auto change) {
    Chart chart;
    chart.series.push_back(series({1, 2}, {3, 4}));
    change(chart);
    return chart;
  };
  EXPECT_NO_THROW(draw_chart(with([](Chart&) {})));
  EXPECT_THROW(draw_chart(Chart{}), InvalidArgument);
  EXPECT_THROW(draw_chart(with([](Chart& c) { c.series[0] = series({}, {}); })), InvalidArgument);
  EXPECT_THROW(draw_chart(with([](Chart& c) { c.series[0].y.pop_back(); })), InvalidArgument);
  EXPECT_THROW(draw_chart(with([](Chart& c) { c.series[0].y_error = {1}; })), InvalidArgument);
  EXPECT_THROW(draw_chart(with([](Chart& c) {
                 c.series[0].labels = {"a", "b", "c"};
               })),
               InvalidArgument);
  EXPECT_THROW(draw_chart(with([](Chart& c) { c.series[0].x[1] = NAN; })), InvalidArgument);
  EXPECT_THROW(draw_chart(with([](Chart& c) { c.series[0].y[0] = INFINITY; })), InvalidArgument);
  EXPECT_THROW(draw_chart(with([](Chart& c) { c.series[0].y_error = {0, NAN}; })), InvalidArgument);
  EXPECT_THROW(draw_chart(with([](Chart& c) { c.series[0].y_error = {0, -1}; })), InvalidArgument);
  EXPECT_THROW(draw_chart(with([](Chart& c) {
                 c.log_x = true;
                 c.series[0].x[0] = 0;
               })),
               InvalidArgument);
  EXPECT_THROW(draw_chart(with([](Chart& c) {
                 c.y_min = 1;
                 c.y_max = 1;
               })),
               InvalidArgument);
  EXPECT_THROW(draw_chart(with([](Chart& c) { c.y_max = NAN; })), InvalidArgument);
  EXPECT_THROW(draw_chart(with([](Chart& c) { c.width = 100; })), InvalidArgument);
  EXPECT_THROW(draw_chart(with([](Chart& c) { c.height = NAN; })), InvalidArgument);
  EXPECT_THROW(draw_chart(with([](Chart& c) { c.series[0].name = std::string(100, 'x'); })),
               InvalidArgument);
  EXPECT_THROW(layout_chart(Chart{}), InvalidArgument);
  // One point, or one x value, still makes a range.
  EXPECT_NO_THROW(draw_chart(with([](Chart& c) { c.series[0] = series({5}, {5}); })));
  EXPECT_NO_THROW(draw_chart(with([](Chart& c) {
    c.log_x = true;
    c.series[0] = series({5, 5}, {0, 0});
  })));
}

}  // namespace
}  // namespace strider::viz
