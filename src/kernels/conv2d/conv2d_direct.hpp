// The direct Conv2D kernel family (conv2d_direct.inl), one entry point set per ISA. Each ISA's
// translation unit is compiled with its own target flags; callers check the CPU first
// (cpu_has_avx512 / cpu_has_avx2) and go through the kernel list, never straight here.
#pragma once

#include <cstdint>
#include <memory>

#include "kernels/conv2d/conv2d_kernel.hpp"
#include "kernels/parallel.hpp"
#include "kernels/tiling.hpp"

namespace strider::kernels {

// Depthwise moves a byte per MAC or so: threads pay off later than for dense convolution.
inline constexpr std::int64_t kDepthwiseParallelMacs = std::int64_t{1} << 17;

#define STRIDER_DECLARE_DIRECT(isa)                                                         \
  std::int64_t conv2d_nhwc_direct_##isa##_packed_size(const Conv2DGeometry& geometry);      \
  void conv2d_nhwc_direct_##isa##_pack(const Conv2DGeometry& geometry, const float* filter, \
                                       float* packed);                                      \
  std::unique_ptr<Conv2DSchedule> conv2d_nhwc_direct_##isa##_schedule(                      \
      const Conv2DGeometry& geometry);                                                      \
  void conv2d_nhwc_direct_##isa##_run(const Conv2DProblem& problem);

STRIDER_DECLARE_DIRECT(avx512)
STRIDER_DECLARE_DIRECT(avx2)
STRIDER_DECLARE_DIRECT(generic)
#undef STRIDER_DECLARE_DIRECT

bool cpu_has_avx512();
bool cpu_has_avx2();

}  // namespace strider::kernels
