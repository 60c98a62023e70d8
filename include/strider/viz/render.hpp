// Writers of a Scene: SVG (animated with SMIL, no script), raster frames, GIF (giflib) and PNG
// (libpng). Every writer draws the same items; the raster ones use a built-in 5x7 pixel font.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "strider/viz/scene.hpp"

namespace strider::viz {

// An RGB image, 8 bits per channel, rows top to bottom.
struct Image {
  std::int64_t width = 0, height = 0;
  std::vector<std::uint8_t> rgb;

  Image() = default;
  Image(std::int64_t w, std::int64_t h, Color background);
  Color at(std::int64_t x, std::int64_t y) const;
  void set(std::int64_t x, std::int64_t y, Color c);
};

// The scene as an SVG document. With more than one frame, each item shown in some frames only
// carries a discrete SMIL <animate> of its visibility over one loop of frames * frame_ms, so a
// browser plays it without script; the still state is frame 0.
std::string to_svg(const Scene& scene);

// Frame `frame` of the scene drawn into pixels (the scene's size rounded up).
Image rasterize(const Scene& scene, std::int64_t frame);

// Every frame in a grid of `columns` tiles (frame f at row f / columns, column f % columns),
// separated by grey gaps of `gap` pixels. Throws InvalidArgument for columns < 1 or a strip over
// 40 M pixels.
Image frame_strip(const Scene& scene, std::int64_t columns, std::int64_t gap = 8);

// A looping GIF of every frame, each shown frame_ms (rounded to GIF's 10 ms). Frames after the
// first store only the rectangle that changed. More than 256 colours are reduced to a 6x7x6
// colour cube. Throws FormatError if giflib fails.
std::vector<std::byte> encode_gif(const Scene& scene);

// An 8-bit RGB PNG. Throws FormatError if libpng fails.
std::vector<std::byte> encode_png(const Image& image);

}  // namespace strider::viz
