// Overflow-checked integer arithmetic for sizes. Every product of extents in Strider goes through
// these, so a hostile shape becomes a ShapeError instead of a wrapped size and an out-of-bounds
// access.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "strider/core/error.hpp"

namespace strider {

// a * b, or ShapeError("<what>: ... overflows 64-bit integers") when it does not fit in int64_t.
std::int64_t checked_mul(std::int64_t a, std::int64_t b, std::string_view what);

// a + b, or ShapeError when it does not fit in int64_t.
std::int64_t checked_add(std::int64_t a, std::int64_t b, std::string_view what);

// The product of all extents, checked; 1 for an empty list.
std::int64_t checked_product(std::span<const std::int64_t> extents, std::string_view what);

// Where a size is computed, for the overflow message, which is only formatted when the check
// fails: geometry runs on every call of every op, and building message strings up front cost more
// than a small convolution (measured with callgrind: 38% of a 1x1x1x1 conv2d call).
struct Origin {
  std::string_view op;         // "conv2d"
  std::string_view axis = {};  // "height"
  std::string_view noun = {};  // "window"
};

std::int64_t checked_mul(std::int64_t a, std::int64_t b, const Origin& where);
std::int64_t checked_add(std::int64_t a, std::int64_t b, const Origin& where);
std::int64_t checked_product(std::span<const std::int64_t> extents, const Origin& where);

}  // namespace strider
