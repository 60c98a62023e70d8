#include "strider/core/checked.hpp"

#include <fmt/format.h>

#include <string>

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

namespace {

// Appends piece by piece: GCC 12 reports a false -Wrestrict on " " + std::string(...).
std::string describe(const Origin& where) {
  std::string text(where.op);
  if (!where.axis.empty() || !where.noun.empty()) text.push_back(':');
  for (std::string_view part : {where.axis, where.noun}) {
    if (part.empty()) continue;
    text.push_back(' ');
    text.append(part);
  }
  return text;
}

}  // namespace

std::int64_t checked_mul(std::int64_t a, std::int64_t b, const Origin& where) {
  std::int64_t result = 0;
  if (__builtin_mul_overflow(a, b, &result)) checked_mul(a, b, describe(where));  // throws
  return result;
}

std::int64_t checked_add(std::int64_t a, std::int64_t b, const Origin& where) {
  std::int64_t result = 0;
  if (__builtin_add_overflow(a, b, &result)) checked_add(a, b, describe(where));  // throws
  return result;
}

std::int64_t checked_product(std::span<const std::int64_t> extents, const Origin& where) {
  std::int64_t result = 1;
  for (std::int64_t e : extents) result = checked_mul(result, e, where);
  return result;
}

}  // namespace strider
