// The direct pooling kernel (pool2d_direct.inl) compiled for AVX512.
#include <algorithm>
#include <cstdint>
#include <limits>

#include "kernels/conv2d/conv2d_direct.hpp"
#include "kernels/isa_target.hpp"
#include "kernels/pool2d/pool2d_kernel.hpp"

STRIDER_ISA_BEGIN_AVX512
#include "kernels/simd/avx512.hpp"

namespace strider::kernels {
using Isa = simd::Avx512;
}  // namespace strider::kernels

#define STRIDER_ISA_NAMESPACE pool2d_avx512
#include "kernels/pool2d/pool2d_direct.inl"

namespace strider::kernels {
void pool2d_nhwc_direct_avx512(const Pool2DProblem& problem) { pool2d_avx512::run(problem); }
}  // namespace strider::kernels

STRIDER_ISA_END
