// The Conv2D kernel list and the selector. Adding a kernel means adding one line here, above the
// reference; tests and benchmarks iterate this same list.
#include <fmt/format.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "kernels/conv2d/conv2d_kernel.hpp"
#include "strider/core/error.hpp"

namespace strider::kernels {
namespace {

bool supports_everything(const Conv2DGeometry&) { return true; }

constexpr std::array kConv2DKernels = {
    Conv2DKernel{"reference", supports_everything, conv2d_nhwc_reference},
};

bool verbose() {
  const char* v = std::getenv("STRIDER_VERBOSE");
  return v != nullptr && std::strcmp(v, "0") != 0 && v[0] != '\0';
}

}  // namespace

std::span<const Conv2DKernel> conv2d_kernels() { return kConv2DKernels; }

const Conv2DKernel& select_conv2d_kernel(const Conv2DGeometry& geometry, std::string_view name) {
  for (const Conv2DKernel& k : kConv2DKernels) {
    const bool named = !name.empty() && k.name == name;
    if (!name.empty() && !named) continue;
    if (!k.supports(geometry)) {
      if (named) {
        throw InvalidArgument(
            fmt::format("conv2d: kernel '{}' does not support this geometry", name));
      }
      continue;
    }
    if (verbose()) {
      std::fprintf(stderr, "strider: conv2d kernel %.*s (%s)\n", static_cast<int>(k.name.size()),
                   k.name.data(), named ? "requested" : "first in the list that supports it");
    }
    return k;
  }
  throw InvalidArgument(fmt::format("conv2d: unknown kernel '{}'", name));
}

}  // namespace strider::kernels
