// The direct pooling kernel (pool2d_direct.inl) compiled for AVX2.
#include <algorithm>
#include <cstdint>
#include <limits>

#include "kernels/conv2d/conv2d_direct.hpp"
#include "kernels/isa_target.hpp"
#include "kernels/pool2d/pool2d_kernel.hpp"

STRIDER_ISA_BEGIN_AVX2
#include "kernels/simd/avx2.hpp"

namespace strider::kernels {
using Isa = simd::Avx2;
}  // namespace strider::kernels

#define STRIDER_ISA_NAMESPACE pool2d_avx2
#include "kernels/pool2d/pool2d_direct.inl"

namespace strider::kernels {
void pool2d_nhwc_direct_avx2(const Pool2DProblem& problem) { pool2d_avx2::run(problem); }
}  // namespace strider::kernels

STRIDER_ISA_END
