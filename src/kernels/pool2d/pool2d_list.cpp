// The pooling kernel list, best first with the reference last.
#include <array>

#include "kernels/conv2d/conv2d_direct.hpp"
#include "kernels/pool2d/pool2d_kernel.hpp"
#include "kernels/select.hpp"

namespace strider::kernels {
namespace {

bool supports_everything(const Pool2DGeometry&) { return true; }
bool on_avx512(const Pool2DGeometry&) { return cpu_has_avx512(); }
bool on_avx2(const Pool2DGeometry&) { return cpu_has_avx2(); }

const std::array kPool2DKernels = {
    Pool2DKernel{"direct_avx512", on_avx512, pool2d_nhwc_direct_avx512},
    Pool2DKernel{"direct_avx2", on_avx2, pool2d_nhwc_direct_avx2},
    Pool2DKernel{"reference", supports_everything, pool2d_nhwc_reference},
};

}  // namespace

std::span<const Pool2DKernel> pool2d_kernels() { return kPool2DKernels; }

const Pool2DKernel& select_pool2d_kernel(const Pool2DGeometry& geometry, std::string_view name) {
  return select_kernel(pool2d_kernels(), geometry, name, "pool2d");
}

}  // namespace strider::kernels
