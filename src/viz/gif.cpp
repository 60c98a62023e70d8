// The GIF writer (giflib): one global palette of the scene's colours, a looping animation whose
// frames after the first hold only the rectangle that changed.
#include <fmt/format.h>
#include <gif_lib.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <variant>

#include "strider/core/error.hpp"
#include "strider/viz/render.hpp"

namespace strider::viz {
namespace {

std::uint32_t pack(Color c) {
  return (std::uint32_t{c.r} << 16) | (std::uint32_t{c.g} << 8) | std::uint32_t{c.b};
}

// The raster writer paints only the colours its items name (no blending), so they are the
// palette. Past 256 colours every colour maps to the nearest entry of a 6x7x6 colour cube.
class Palette {
 public:
  explicit Palette(const Scene& scene) {
    add(scene.background);
    for (const Item& item : scene.items) {
      if (const Box* b = std::get_if<Box>(&item)) {
        if (b->fill) add(*b->fill);
        if (b->stroke) add(*b->stroke);
        if (b->hatch) add(*b->hatch);
      } else if (const Label* l = std::get_if<Label>(&item)) {
        add(l->color);
      } else if (const Line* line = std::get_if<Line>(&item)) {
        add(line->color);
      } else if (const Circle* c = std::get_if<Circle>(&item)) {
        if (c->fill) add(*c->fill);
        if (c->stroke) add(*c->stroke);
      }
    }
    if (colors_.size() > 256) {
      colors_.clear();
      for (int r = 0; r < 6; ++r) {
        for (int g = 0; g < 7; ++g) {
          for (int b = 0; b < 6; ++b) {
            colors_.push_back({static_cast<std::uint8_t>(r * 51), static_cast<std::uint8_t>(g * 42),
                               static_cast<std::uint8_t>(b * 51)});
          }
        }
      }
      cube_ = true;
    }
  }

  std::uint8_t index(Color c) const {
    if (cube_) {
      const int r = (c.r + 25) / 51, g = (c.g + 21) / 42, b = (c.b + 25) / 51;
      return static_cast<std::uint8_t>((r * 7 + g) * 6 + b);
    }
    return index_.at(pack(c));
  }

  const std::vector<Color>& colors() const { return colors_; }

 private:
  void add(Color c) {
    if (index_.emplace(pack(c), static_cast<std::uint8_t>(colors_.size() & 0xff)).second) {
      colors_.push_back(c);
    }
  }

  std::vector<Color> colors_;
  std::unordered_map<std::uint32_t, std::uint8_t> index_;
  bool cube_ = false;
};

int write_bytes(GifFileType* gif, const GifByteType* data, int length) {
  auto* out = static_cast<std::vector<std::byte>*>(gif->UserData);
  const auto* bytes = reinterpret_cast<const std::byte*>(data);
  out->insert(out->end(), bytes, bytes + length);
  return length;
}

[[noreturn]] void fail(int error) {
  throw FormatError(fmt::format("gif: cannot encode: {}", GifErrorString(error)));
}

// Closes the encoder if an exception leaves encode_gif early.
struct Closer {
  GifFileType* gif = nullptr;
  ~Closer() {
    if (gif != nullptr) {
      int ignored = 0;
      EGifCloseFile(gif, &ignored);
    }
  }
};

struct Rect {
  std::int64_t x0, y0, x1, y1;  // [x0, x1) x [y0, y1)
};

// The smallest rectangle holding every pixel that differs (at least one pixel).
Rect changed(const Image& before, const Image& after) {
  Rect r{after.width, after.height, 0, 0};
  for (std::int64_t y = 0; y < after.height; ++y) {
    for (std::int64_t x = 0; x < after.width; ++x) {
      if (before.at(x, y) == after.at(x, y)) continue;
      r.x0 = std::min(r.x0, x);
      r.y0 = std::min(r.y0, y);
      r.x1 = std::max(r.x1, x + 1);
      r.y1 = std::max(r.y1, y + 1);
    }
  }
  if (r.x1 <= r.x0) return {0, 0, 1, 1};
  return r;
}

}  // namespace

std::vector<std::byte> encode_gif(const Scene& scene) {
  const Palette palette(scene);
  std::vector<std::byte> out;
  int error = 0;
  Closer closer{EGifOpen(&out, write_bytes, &error)};
  GifFileType* gif = closer.gif;
  if (gif == nullptr) fail(error);
  EGifSetGifVersion(gif, true);

  int map_size = 2;
  while (map_size < static_cast<int>(palette.colors().size())) map_size *= 2;
  std::vector<GifColorType> colors(static_cast<std::size_t>(map_size), GifColorType{0, 0, 0});
  for (std::size_t i = 0; i < palette.colors().size(); ++i) {
    colors[i] = {palette.colors()[i].r, palette.colors()[i].g, palette.colors()[i].b};
  }
  ColorMapObject* map = GifMakeMapObject(map_size, colors.data());
  if (map == nullptr) fail(E_GIF_ERR_NOT_ENOUGH_MEM);
  Image previous = rasterize(scene, 0);
  const int put_screen = EGifPutScreenDesc(gif, static_cast<int>(previous.width),
                                           static_cast<int>(previous.height), 8, 0, map);
  GifFreeMapObject(map);
  if (put_screen == GIF_ERROR) fail(gif->Error);

  const std::int64_t frames = std::max<std::int64_t>(1, scene.frames);
  if (frames > 1) {
    // The application extension that makes browsers loop the animation forever.
    static const GifByteType kLoop[] = {1, 0, 0};
    if (EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR ||
        EGifPutExtensionBlock(gif, 11, "NETSCAPE2.0") == GIF_ERROR ||
        EGifPutExtensionBlock(gif, 3, kLoop) == GIF_ERROR ||
        EGifPutExtensionTrailer(gif) == GIF_ERROR) {
      fail(gif->Error);
    }
  }
  GraphicsControlBlock control{};
  control.DisposalMode = DISPOSE_DO_NOT;
  control.DelayTime =
      frames > 1 ? static_cast<int>(std::max<std::int64_t>(1, scene.frame_ms / 10)) : 0;
  control.TransparentColor = NO_TRANSPARENT_COLOR;
  GifByteType control_bytes[4];
  EGifGCBToExtension(&control, control_bytes);

  std::vector<GifPixelType> line;
  for (std::int64_t f = 0; f < frames; ++f) {
    Image image = f == 0 ? previous : rasterize(scene, f);
    const Rect r = f == 0 ? Rect{0, 0, image.width, image.height} : changed(previous, image);
    if (EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, 4, control_bytes) == GIF_ERROR ||
        EGifPutImageDesc(gif, static_cast<int>(r.x0), static_cast<int>(r.y0),
                         static_cast<int>(r.x1 - r.x0), static_cast<int>(r.y1 - r.y0), false,
                         nullptr) == GIF_ERROR) {
      fail(gif->Error);
    }
    line.resize(static_cast<std::size_t>(r.x1 - r.x0));
    for (std::int64_t y = r.y0; y < r.y1; ++y) {
      for (std::int64_t x = r.x0; x < r.x1; ++x) {
        line[static_cast<std::size_t>(x - r.x0)] = palette.index(image.at(x, y));
      }
      if (EGifPutLine(gif, line.data(), static_cast<int>(line.size())) == GIF_ERROR) {
        fail(gif->Error);
      }
    }
    previous = std::move(image);
  }
  closer.gif = nullptr;
  if (EGifCloseFile(gif, &error) == GIF_ERROR) fail(error);
  return out;
}

}  // namespace strider::viz
