// The column-matrix Conv2D backward kernels for AVX2 + FMA (8 lanes, 12 accumulators).
#include <omp.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "kernels/aligned.hpp"
#include "kernels/conv2d/conv2d_direct.hpp"
#include "kernels/conv2d_backward/conv2d_backward_gemm.hpp"
#include "kernels/isa_target.hpp"
#include "strider/core/checked.hpp"
#include "strider/core/memory.hpp"

STRIDER_ISA_BEGIN_AVX2
#include "kernels/simd/avx2.hpp"

namespace strider::kernels {
using Isa = simd::Avx2;
}  // namespace strider::kernels

#define STRIDER_ISA_NAMESPACE backward_avx2
#define STRIDER_ISA_FUNCTION(name) conv2d_backward_##name##_nhwc_gemm_avx2
#include "kernels/conv2d_backward/conv2d_backward_gemm.inl"

STRIDER_ISA_END
