// The raster writers' 5x7 pixel font (internal to viz): glyph cells are 6 x 7 pixels per unit of
// scale, one column of space after each glyph.
#pragma once

#include <array>
#include <cstdint>

namespace strider::viz {

inline constexpr std::int64_t kGlyphWidth = 5;
inline constexpr std::int64_t kGlyphHeight = 7;
inline constexpr std::int64_t kGlyphAdvance = 6;

// Pixels per font pixel for a text whose capitals are `size` pixels tall (at least 1).
std::int64_t font_scale(double size);

// Whether pixel (x, y), x < 5 and y < 7, of character c is ink; characters without a glyph are
// drawn as '?'.
bool glyph_pixel(char c, std::int64_t x, std::int64_t y);

}  // namespace strider::viz
