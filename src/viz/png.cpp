// The PNG writer, through libpng's simplified API (which reports errors instead of jumping).
#include <fmt/format.h>
#include <png.h>

#include "strider/core/error.hpp"
#include "strider/viz/render.hpp"

namespace strider::viz {

std::vector<std::byte> encode_png(const Image& image) {
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(image.width);
  png.height = static_cast<png_uint_32>(image.height);
  png.format = PNG_FORMAT_RGB;
  const auto stride = static_cast<png_int_32>(image.width * 3);
  png_alloc_size_t size = 0;
  // The first call only measures.
  if (png_image_write_to_memory(&png, nullptr, &size, 0, image.rgb.data(), stride, nullptr) == 0) {
    throw FormatError(fmt::format("png: cannot encode: {}", png.message));
  }
  std::vector<std::byte> out(size);
  if (png_image_write_to_memory(&png, out.data(), &size, 0, image.rgb.data(), stride, nullptr) ==
      0) {
    throw FormatError(fmt::format("png: cannot encode: {}", png.message));
  }
  out.resize(size);
  return out;
}

}  // namespace strider::viz
