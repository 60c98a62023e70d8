#include "strider/core/checked.hpp"

#include <fmt/format.h>

namespace strider {

std::int64_t checked_mul(std::int64_t a, std::int64_t b, std::string_view what) {
  std::int64_t result = 0;
  if (__builtin_mul_overflow(a, b, &result)) {
    throw ShapeError(fmt::format("{}: {} * {} overflows 64-bit integers", what, a, b));
  }
  return result;
}

std::int64_t checked_add(std::int64_t a, std::int64_t b, std::string_view what) {
  std::int64_t result = 0;
  if (__builtin_add_overflow(a, b, &result)) {
    throw ShapeError(fmt::format("{}: {} + {} overflows 64-bit integers", what, a, b));
  }
  return result;
}

std::int64_t checked_product(std::span<const std::int64_t> extents, std::string_view what) {
  std::int64_t result = 1;
  for (std::int64_t e : extents) result = checked_mul(result, e, what);
  return result;
}

}  // namespace strider
