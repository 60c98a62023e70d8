// Scene helpers shared by the writers.
#include "strider/viz/scene.hpp"

#include <fmt/format.h>

#include "pixel_font.hpp"

namespace strider::viz {

std::string Color::hex() const { return fmt::format("#{:02x}{:02x}{:02x}", r, g, b); }

double text_width(const std::string& text, double size) {
  return static_cast<double>(static_cast<std::int64_t>(text.size()) * kGlyphAdvance *
                             font_scale(size));
}

}  // namespace strider::viz
