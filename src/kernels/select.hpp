// Kernel selection shared by every kernel family: each family keeps one list of kernels, best
// first and the reference last; the selector walks it. One list drives dispatch, tests and
// benchmarks, so a kernel cannot be selectable but untested.
#pragma once

#include <fmt/format.h>

#include <cstdio>
#include <span>
#include <string_view>

#include "strider/core/error.hpp"

namespace strider::kernels {

// Whether STRIDER_VERBOSE is set to something other than "" or "0".
bool verbose();

// The kernel named `name`, or the first in `list` whose supports(geometry) holds when `name` is
// empty. Throws InvalidArgument for an unknown name or a named kernel that does not support the
// geometry. With STRIDER_VERBOSE=1 it prints the choice and the reason to stderr.
template <typename Kernel, typename Geometry>
const Kernel& select_kernel(std::span<const Kernel> list, const Geometry& geometry,
                            std::string_view name, std::string_view op) {
  for (const Kernel& k : list) {
    const bool named = !name.empty() && k.name == name;
    if (!name.empty() && !named) continue;
    if (!k.supports(geometry)) {
      if (named) {
        throw InvalidArgument(
            fmt::format("{}: kernel '{}' does not support this geometry", op, name));
      }
      continue;
    }
    if (verbose()) {
      fmt::print(stderr, "strider: {} kernel {} ({})\n", op, k.name,
                 named ? "requested" : "first in the list that supports it");
    }
    return k;
  }
  std::string names;
  for (const Kernel& k : list) names += (names.empty() ? "" : ", ") + std::string(k.name);
  throw InvalidArgument(fmt::format("{}: unknown kernel '{}'; kernels: {}", op, name, names));
}

}  // namespace strider::kernels
