// The direct depthwise kernel (depthwise_direct.inl) compiled for AVX512.
#include <algorithm>
#include <cstdint>

#include "kernels/depthwise/depthwise_kernel.hpp"
#include "kernels/isa_target.hpp"

STRIDER_ISA_BEGIN_AVX512
#include "kernels/simd/avx512.hpp"

namespace strider::kernels {
using Isa = simd::Avx512;
}  // namespace strider::kernels

#define STRIDER_ISA_NAMESPACE depthwise_avx512
#include "kernels/depthwise/depthwise_direct.inl"

namespace strider::kernels {
void depthwise_nhwc_direct_avx512(const DepthwiseProblem& problem) {
  depthwise_avx512::run(problem);
}
}  // namespace strider::kernels

STRIDER_ISA_END
