// A picture as a list of boxes and labels, each visible in a range of frames: what every stride
// picture is built into and what the SVG, GIF and PNG writers draw. It knows nothing about
// strides, so any figure made of grids of cells (a receptive-field trace through a model, for
// one) is built the same way.
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

using Item = std::variant<Box, Label>;

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
};

// Width in pixels that `text` takes at `size`, the same for every writer (the raster font is
// monospaced; the SVG asks for a monospaced font of this advance).
double text_width(const std::string& text, double size);

}  // namespace strider::viz
