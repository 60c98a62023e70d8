// The direct depthwise kernel (depthwise_direct.inl) compiled for AVX2.
#include <algorithm>
#include <cstdint>

#include "kernels/depthwise/depthwise_kernel.hpp"
#include "kernels/isa_target.hpp"

STRIDER_ISA_BEGIN_AVX2
#include "kernels/simd/avx2.hpp"

namespace strider::kernels {
using Isa = simd::Avx2;
}  // namespace strider::kernels

#define STRIDER_ISA_NAMESPACE depthwise_avx2
#include "kernels/depthwise/depthwise_direct.inl"

namespace strider::kernels {
void depthwise_nhwc_direct_avx2(const DepthwiseProblem& problem) { depthwise_avx2::run(problem); }
}  // namespace strider::kernels

STRIDER_ISA_END
