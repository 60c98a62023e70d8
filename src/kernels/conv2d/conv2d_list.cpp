// The Conv2D kernel list. Adding a kernel means adding one line here, above the reference; tests
// and benchmarks iterate this same list.
#include <array>

#include "kernels/conv2d/conv2d_kernel.hpp"
#include "kernels/select.hpp"

namespace strider::kernels {
namespace {

bool supports_everything(const Conv2DGeometry&) { return true; }

constexpr std::array kConv2DKernels = {
    Conv2DKernel{"reference", supports_everything, conv2d_nhwc_reference},
};

}  // namespace

std::span<const Conv2DKernel> conv2d_kernels() { return kConv2DKernels; }

const Conv2DKernel& select_conv2d_kernel(const Conv2DGeometry& geometry, std::string_view name) {
  return select_kernel(conv2d_kernels(), geometry, name, "conv2d");
}

}  // namespace strider::kernels
