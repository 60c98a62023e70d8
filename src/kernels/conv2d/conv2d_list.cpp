// The Conv2D kernel list, best first with the reference last. Adding a kernel means adding one
// line here; tests and benchmarks iterate this same list, so every kernel that can be selected is
// tested against the reference on every CPU that can run it.
#include <array>

#include "kernels/conv2d/conv2d_direct.hpp"
#include "kernels/conv2d/conv2d_kernel.hpp"
#include "kernels/select.hpp"

namespace strider::kernels {
namespace {

bool supports_everything(const Conv2DGeometry&) { return true; }
bool on_avx512(const Conv2DGeometry&) { return cpu_has_avx512(); }
bool on_avx2(const Conv2DGeometry&) { return cpu_has_avx2(); }

const std::array kConv2DKernels = {
    Conv2DKernel{"direct_avx512", on_avx512, conv2d_nhwc_direct_avx512_run,
                 conv2d_nhwc_direct_avx512_packed_size, conv2d_nhwc_direct_avx512_pack,
                 conv2d_nhwc_direct_avx512_schedule},
    Conv2DKernel{"direct_avx2", on_avx2, conv2d_nhwc_direct_avx2_run,
                 conv2d_nhwc_direct_avx2_packed_size, conv2d_nhwc_direct_avx2_pack,
                 conv2d_nhwc_direct_avx2_schedule},
    Conv2DKernel{"direct_generic", supports_everything, conv2d_nhwc_direct_generic_run,
                 conv2d_nhwc_direct_generic_packed_size, conv2d_nhwc_direct_generic_pack,
                 conv2d_nhwc_direct_generic_schedule},
    Conv2DKernel{"reference", supports_everything, conv2d_nhwc_reference},
};

}  // namespace

bool cpu_has_avx512() {
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
  return has;
}

bool cpu_has_avx2() {
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
}

std::span<const Conv2DKernel> conv2d_kernels() { return kConv2DKernels; }

const Conv2DKernel& select_conv2d_kernel(const Conv2DGeometry& geometry, std::string_view name) {
  return select_kernel(conv2d_kernels(), geometry, name, "conv2d");
}

}  // namespace strider::kernels
