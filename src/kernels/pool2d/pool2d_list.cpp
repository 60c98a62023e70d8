// The pooling kernel list, best first with the reference last.
#include <array>

#include "kernels/pool2d/pool2d_kernel.hpp"
#include "kernels/select.hpp"

namespace strider::kernels {
namespace {

bool supports_everything(const Pool2DGeometry&) { return true; }

constexpr std::array kPool2DKernels = {
    Pool2DKernel{"reference", supports_everything, pool2d_nhwc_reference},
};

}  // namespace

std::span<const Pool2DKernel> pool2d_kernels() { return kPool2DKernels; }

const Pool2DKernel& select_pool2d_kernel(const Pool2DGeometry& geometry, std::string_view name) {
  return select_kernel(pool2d_kernels(), geometry, name, "pool2d");
}

}  // namespace strider::kernels
