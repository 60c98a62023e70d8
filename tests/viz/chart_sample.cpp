// Writes a sample chart for tests/viz/render_in_chromium.py (mode `chart`): DIR/chart.svg,
// DIR/chart.png, and DIR/chart.json with the pixel centre and colour of every marker and the
// midpoint of every data line, which the script looks for in Chromium's rendering and the PNG.
// It draws what the experiment report draws: log x, error bars, point labels, solid and dashed
// curves.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <variant>

#include "strider/io/atomic_file.hpp"
#include "strider/viz/chart.hpp"
#include "strider/viz/render.hpp"

namespace {

using strider::viz::Chart;
using strider::viz::Series;

Chart sample() {
  Chart chart;
  chart.title = "Test accuracy vs MACs";
  chart.x_label = "MACs per image (log)";
  chart.y_label = "test accuracy (%)";
  chart.log_x = true;
  Series variants;
  variants.name = "variants";
  variants.x = {2.1e6, 5.4e6, 9.8e6, 4.6e7, 1.3e6};
  variants.y = {90.1, 91.4, 91.9, 92.6, 88.7};
  variants.y_error = {0.3, 0.2, 0.25, 0.1, 0.5};
  variants.labels = {"stride 2", "stride 2 valid", "max pool", "no downsampling",
                     "stride 3 > kernel"};
  chart.series.push_back(variants);
  Series front;
  front.name = "Pareto front";
  front.x = {1.3e6, 2.1e6, 5.4e6, 9.8e6, 4.6e7};
  front.y = {88.7, 90.1, 91.4, 91.9, 92.6};
  front.lines = true;
  front.markers = false;
  front.dashed = true;
  chart.series.push_back(front);
  Series curve;
  curve.name = "dilation";
  curve.x = {3e6, 8e6, 2e7};
  curve.y = {89.5, 90.8, 91.0};
  curve.lines = true;
  chart.series.push_back(curve);
  return chart;
}

void write(const std::string& path, std::span<const std::byte> bytes) {
  strider::io::write_file_atomic(path, bytes);
}

std::span<const std::byte> as_bytes(const std::string& text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  try {
    const std::string dir = argv[1];
    const Chart chart = sample();
    const strider::viz::Scene scene = strider::viz::draw_chart(chart);
    const strider::viz::Image image = strider::viz::rasterize(scene, 0);
    nlohmann::json out;
    out["width"] = scene.width;
    out["height"] = scene.height;
    out["markers"] = nlohmann::json::array();
    out["lines"] = nlohmann::json::array();
    for (const strider::viz::Item& item : scene.items) {
      if (const auto* c = std::get_if<strider::viz::Circle>(&item); c && c->role == "marker") {
        out["markers"].push_back({{"series", c->point->first},
                                  {"point", c->point->second},
                                  {"x", c->cx},
                                  {"y", c->cy},
                                  {"color", c->fill->hex()}});
      }
      if (const auto* l = std::get_if<strider::viz::Line>(&item); l && l->role == "line") {
        // The middle of a solid segment, the middle of a dashed one's second dash; kept only
        // where nothing drawn later covers it (the script checks the PNG there too).
        const double length = std::hypot(l->x2 - l->x1, l->y2 - l->y1);
        const double t = l->dash ? 2.5 * *l->dash / length : 0.5;
        if (t > 0.8) continue;
        const double x = l->x1 + t * (l->x2 - l->x1), y = l->y1 + t * (l->y2 - l->y1);
        if (image.at(static_cast<std::int64_t>(x), static_cast<std::int64_t>(y)) != l->color) {
          continue;
        }
        out["lines"].push_back(
            {{"x", x}, {"y", y}, {"dashed", l->dash.has_value()}, {"color", l->color.hex()}});
      }
    }
    write(dir + "/chart.svg", as_bytes(strider::viz::to_svg(scene)));
    write(dir + "/chart.png", strider::viz::encode_png(image));
    write(dir + "/chart.json", as_bytes(out.dump(1)));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "chart_sample: %s\n", e.what());
    return 1;
  }
  return 0;
}
