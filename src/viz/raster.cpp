// The raster writer: boxes, lines, circles and 5x7-font labels drawn into RGB pixels (no
// anti-aliasing, so the GIF palette is the colours the items name), and frame strips.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <variant>

#include "pixel_font.hpp"
#include "strider/core/error.hpp"
#include "strider/viz/render.hpp"

namespace strider::viz {
namespace {

// A frame strip larger than this many pixels is refused rather than allocated (40 M pixels are
// 120 MB of RGB).
constexpr std::int64_t kMaxStripPixels = 40'000'000;

std::int64_t px(double v) { return static_cast<std::int64_t>(std::lround(v)); }

void fill_rect(Image& image, std::int64_t x0, std::int64_t y0, std::int64_t x1, std::int64_t y1,
               Color c) {
  x0 = std::max<std::int64_t>(x0, 0);
  y0 = std::max<std::int64_t>(y0, 0);
  x1 = std::min(x1, image.width);
  y1 = std::min(y1, image.height);
  for (std::int64_t y = y0; y < y1; ++y) {
    for (std::int64_t x = x0; x < x1; ++x) image.set(x, y, c);
  }
}

void draw_box(Image& image, const Box& b) {
  const std::int64_t x0 = px(b.x), y0 = px(b.y), x1 = px(b.x + b.w), y1 = px(b.y + b.h);
  if (b.fill) fill_rect(image, x0, y0, x1, y1, *b.fill);
  if (b.hatch) {
    // The same diagonal lines as the SVG pattern: every pixel with (x + y) % 6 == 0.
    for (std::int64_t y = std::max<std::int64_t>(y0, 0); y < std::min(y1, image.height); ++y) {
      for (std::int64_t x = std::max<std::int64_t>(x0, 0); x < std::min(x1, image.width); ++x) {
        if ((x + y) % 6 == 0) image.set(x, y, *b.hatch);
      }
    }
  }
  const std::int64_t sw = b.stroke ? px(b.stroke_width) : 0;
  if (sw > 0) {
    fill_rect(image, x0, y0, x1, y0 + sw, *b.stroke);
    fill_rect(image, x0, y1 - sw, x1, y1, *b.stroke);
    fill_rect(image, x0, y0, x0 + sw, y1, *b.stroke);
    fill_rect(image, x1 - sw, y0, x1, y1, *b.stroke);
  }
}

void draw_label(Image& image, const Label& l) {
  const std::int64_t scale = font_scale(l.size);
  const auto chars = static_cast<std::int64_t>(l.text.size());
  const std::int64_t ink = chars > 0 ? chars * kGlyphAdvance * scale - scale : 0;
  std::int64_t left = px(l.x);
  if (l.anchor == Anchor::kMiddle) left -= ink / 2;
  if (l.anchor == Anchor::kEnd) left -= ink;
  const std::int64_t top = px(l.y - static_cast<double>(kGlyphHeight * scale) / 2);
  for (std::int64_t i = 0; i < chars; ++i) {
    const char c = l.text[static_cast<std::size_t>(i)];
    const std::int64_t gx = left + i * kGlyphAdvance * scale;
    for (std::int64_t y = 0; y < kGlyphHeight; ++y) {
      for (std::int64_t x = 0; x < kGlyphWidth; ++x) {
        if (glyph_pixel(c, x, y)) {
          fill_rect(image, gx + x * scale, top + y * scale, gx + (x + 1) * scale,
                    top + (y + 1) * scale, l.color);
        }
      }
    }
  }
}

// Distance from (x, y) to the part [from, to] of the ray from (ax, ay) along the unit vector
// (ux, uy).
double distance_to_segment(double x, double y, double ax, double ay, double ux, double uy,
                           double from, double to) {
  const double along = std::clamp((x - ax) * ux + (y - ay) * uy, from, to);
  return std::hypot(x - (ax + along * ux), y - (ay + along * uy));
}

// Every pixel whose centre lies within width / 2 of the segment (or of one of its dashes) is
// painted: a thick line with round ends, as SVG's round line caps draw it.
void draw_line(Image& image, const Line& l) {
  const double r = std::max(l.width / 2, 0.5) + 1e-9;
  const double length = std::hypot(l.x2 - l.x1, l.y2 - l.y1);
  const double ux = length > 0 ? (l.x2 - l.x1) / length : 0;
  const double uy = length > 0 ? (l.y2 - l.y1) / length : 0;
  const double dash = l.dash && *l.dash > 0 ? *l.dash : 0;
  const std::int64_t x0 = std::max<std::int64_t>(0, px(std::min(l.x1, l.x2) - r - 1));
  const std::int64_t y0 = std::max<std::int64_t>(0, px(std::min(l.y1, l.y2) - r - 1));
  const std::int64_t x1 = std::min(image.width, px(std::max(l.x1, l.x2) + r + 1));
  const std::int64_t y1 = std::min(image.height, px(std::max(l.y1, l.y2) + r + 1));
  for (std::int64_t y = y0; y < y1; ++y) {
    for (std::int64_t x = x0; x < x1; ++x) {
      const double cx = static_cast<double>(x) + 0.5, cy = static_cast<double>(y) + 0.5;
      bool ink = false;
      if (dash == 0) {
        ink = distance_to_segment(cx, cy, l.x1, l.y1, ux, uy, 0, length) <= r;
      } else {
        // Only the dashes that start within r of this pixel's place along the line can reach it.
        const double along = (cx - l.x1) * ux + (cy - l.y1) * uy;
        const auto first = static_cast<std::int64_t>(std::floor((along - r - dash) / (2 * dash)));
        const auto last = static_cast<std::int64_t>(std::floor((along + r) / (2 * dash)));
        for (std::int64_t k = std::max<std::int64_t>(first, 0); k <= last && !ink; ++k) {
          const double from = 2 * dash * static_cast<double>(k);
          if (from > length) break;
          ink = distance_to_segment(cx, cy, l.x1, l.y1, ux, uy, from,
                                    std::min(from + dash, length)) <= r;
        }
      }
      if (ink) image.set(x, y, l.color);
    }
  }
}

// Pixels whose centre lies within r of the centre; those within stroke_width of the rim are the
// stroke.
void draw_circle(Image& image, const Circle& c) {
  const double sw = c.stroke ? c.stroke_width : 0;
  const std::int64_t x0 = std::max<std::int64_t>(0, px(c.cx - c.r - 1));
  const std::int64_t y0 = std::max<std::int64_t>(0, px(c.cy - c.r - 1));
  const std::int64_t x1 = std::min(image.width, px(c.cx + c.r + 1));
  const std::int64_t y1 = std::min(image.height, px(c.cy + c.r + 1));
  for (std::int64_t y = y0; y < y1; ++y) {
    for (std::int64_t x = x0; x < x1; ++x) {
      const double d =
          std::hypot(static_cast<double>(x) + 0.5 - c.cx, static_cast<double>(y) + 0.5 - c.cy);
      if (d > c.r) continue;
      if (sw > 0 && d > c.r - sw) {
        image.set(x, y, *c.stroke);
      } else if (c.fill) {
        image.set(x, y, *c.fill);
      }
    }
  }
}

}  // namespace

Image::Image(std::int64_t w, std::int64_t h, Color background)
    : width(w), height(h), rgb(static_cast<std::size_t>(w * h * 3)) {
  for (std::size_t i = 0; i < rgb.size(); i += 3) {
    rgb[i] = background.r;
    rgb[i + 1] = background.g;
    rgb[i + 2] = background.b;
  }
}

Color Image::at(std::int64_t x, std::int64_t y) const {
  const auto i = static_cast<std::size_t>((y * width + x) * 3);
  return {rgb[i], rgb[i + 1], rgb[i + 2]};
}

void Image::set(std::int64_t x, std::int64_t y, Color c) {
  const auto i = static_cast<std::size_t>((y * width + x) * 3);
  rgb[i] = c.r;
  rgb[i + 1] = c.g;
  rgb[i + 2] = c.b;
}

Image rasterize(const Scene& scene, std::int64_t frame) {
  Image image(static_cast<std::int64_t>(std::ceil(scene.width)),
              static_cast<std::int64_t>(std::ceil(scene.height)), scene.background);
  for (const Item& item : scene.items) {
    std::visit(
        [&image, frame](const auto& i) {
          if (!i.visible.contains(frame)) return;
          using T = std::decay_t<decltype(i)>;
          if constexpr (std::is_same_v<T, Box>) {
            draw_box(image, i);
          } else if constexpr (std::is_same_v<T, Label>) {
            draw_label(image, i);
          } else if constexpr (std::is_same_v<T, Line>) {
            draw_line(image, i);
          } else {
            draw_circle(image, i);
          }
        },
        item);
  }
  return image;
}

Image frame_strip(const Scene& scene, std::int64_t columns, std::int64_t gap) {
  if (columns < 1) {
    throw InvalidArgument(fmt::format("frame strip: columns must be >= 1, got {}", columns));
  }
  const std::int64_t frames = std::max<std::int64_t>(1, scene.frames);
  const std::int64_t tile_w = static_cast<std::int64_t>(std::ceil(scene.width));
  const std::int64_t tile_h = static_cast<std::int64_t>(std::ceil(scene.height));
  const std::int64_t cols = std::min(columns, frames);
  const std::int64_t rows = (frames + cols - 1) / cols;
  const std::int64_t width = cols * tile_w + (cols - 1) * gap;
  const std::int64_t height = rows * tile_h + (rows - 1) * gap;
  if (width * height > kMaxStripPixels) {
    throw InvalidArgument(fmt::format(
        "frame strip: {} frames of {}x{} pixels would make a {}x{} image; at most {} million "
        "pixels (draw fewer output positions, or write .gif or .svg)",
        frames, tile_w, tile_h, width, height, kMaxStripPixels / 1'000'000));
  }
  // Grey gaps mark where one frame ends and the next begins.
  Image strip(width, height, Color{200, 200, 200});
  for (std::int64_t f = 0; f < frames; ++f) {
    const Image tile = rasterize(scene, f);
    const std::int64_t ox = (f % cols) * (tile_w + gap), oy = (f / cols) * (tile_h + gap);
    for (std::int64_t y = 0; y < tile.height; ++y) {
      std::copy_n(tile.rgb.begin() + y * tile.width * 3, tile.width * 3,
                  strip.rgb.begin() + ((oy + y) * strip.width + ox) * 3);
    }
  }
  return strip;
}

}  // namespace strider::viz
