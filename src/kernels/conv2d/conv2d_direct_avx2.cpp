// The direct Conv2D kernel for AVX2 + FMA: 8 lanes, 16 ymm registers, so tiles of up to 2 vectors
// x 6 pixels (12 accumulators: Zen 3 needs 8+ independent FMAs in flight, 4-cycle latency x 2
// pipes). Compiled for AVX2 + FMA between STRIDER_ISA_BEGIN/END.
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <memory>
#include <vector>

#include "kernels/conv2d/conv2d_direct.hpp"
#include "kernels/isa_target.hpp"

STRIDER_ISA_BEGIN_AVX2
#include "kernels/simd/avx2.hpp"

namespace strider::kernels {
using Isa = simd::Avx2;
}  // namespace strider::kernels

#define STRIDER_ISA_NAMESPACE avx2
#define STRIDER_ISA_FUNCTION(name) conv2d_nhwc_direct_avx2_##name
#include "kernels/conv2d/conv2d_direct.inl"

STRIDER_ISA_END
