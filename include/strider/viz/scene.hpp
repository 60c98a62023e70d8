// A picture as a list of boxes, labels, lines and circles, each visible in a range of frames:
// what every stride picture and chart is built into and what the SVG, GIF and PNG writers draw.
// It knows nothing about strides, so any figure made of grids of cells (a receptive-field trace
// through a model, for one) or of axes and points is built the same way.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace strider::viz {

struct Color {
  std::uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Color&) const = default;
  std::string hex() const;  // "#rrggbb"
};

// The frames [first, last] in which an item is drawn; the default is every frame.
struct Visible {
  std::int64_t first = 0;
  std::int64_t last = std::numeric_limits<std::int64_t>::max();
  bool contains(std::int64_t frame) const { return frame >= first && frame <= last; }
  bool operator==(const Visible&) const = default;
};

// An axis-aligned rectangle in pixels. The stroke is drawn inside the box, so adjacent cells do
// not overlap. `role` and `cell` tag what the box shows ("tap", "input", ...), written into the
// SVG (class, data-cell) for readers and tests.
struct Box {
  double x = 0, y = 0, w = 0, h = 0;
  std::optional<Color> fill;  // none: outline only
  std::optional<Color> stroke;
  double stroke_width = 1;
  std::optional<Color> hatch;  // diagonal lines over the fill
  std::string role;
  std::optional<std::pair<std::int64_t, std::int64_t>> cell;
  Visible visible;
};

enum class Anchor : std::uint8_t { kStart, kMiddle, kEnd };

// One line of text; (x, y) is the anchor point on the text's vertical middle. `size` is the
// height of a capital letter in pixels.
struct Label {
  double x = 0, y = 0;
  std::string text;
  double size = 10;
  Color color;
  Anchor anchor = Anchor::kStart;
  Visible visible;
};

// A straight segment from (x1, y1) to (x2, y2), `width` pixels thick with round ends. `dash`
// (pixels) draws it as dashes of that length separated by gaps of the same length, measured from
// (x1, y1). `role` tags what it shows ("axis", "grid", "line"), written into the SVG as its class.
struct Line {
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  Color color;
  double width = 1;
  std::optional<double> dash;
  std::string role;
  Visible visible;
};

// A disc of radius `r` centred on (cx, cy), the stroke drawn inside it as boxes draw theirs.
// `point` names the (series, point) a chart marker shows, written into the SVG as data-point.
struct Circle {
  double cx = 0, cy = 0, r = 0;
  std::optional<Color> fill;
  std::optional<Color> stroke;
  double stroke_width = 1;
  std::string role;
  std::optional<std::pair<std::int64_t, std::int64_t>> point;
  Visible visible;
};

using Item = std::variant<Box, Label, Line, Circle>;

// Items are painted in order. `frames` 1 is a still picture.
struct Scene {
  double width = 0, height = 0;
  Color background{255, 255, 255};
  std::int64_t frames = 1;
  std::int64_t frame_ms = 700;
  std::string title;  // the SVG's <title>
  std::vector<Item> items;

  void add(Box b) { items.emplace_back(std::move(b)); }
  void add(Label l) { items.emplace_back(std::move(l)); }
  void add(Line l) { items.emplace_back(std::move(l)); }
  void add(Circle c) { items.emplace_back(std::move(c)); }
};

// Width in pixels that `text` takes at `size`, the same for every writer (the raster font is
// monospaced; the SVG asks for a monospaced font of this advance).
double text_width(const std::string& text, double size);

}  // namespace strider::viz
