// The column-matrix Conv2D backward kernels for AVX-512F (16 lanes, 24 accumulators).
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

STRIDER_ISA_BEGIN_AVX512
#include "kernels/simd/avx512.hpp"

namespace strider::kernels {
using Isa = simd::Avx512;
}  // namespace strider::kernels

#define STRIDER_ISA_NAMESPACE backward_avx512
#define STRIDER_ISA_FUNCTION(name) conv2d_backward_##name##_nhwc_gemm_avx512
#include "kernels/conv2d_backward/conv2d_backward_gemm.inl"

STRIDER_ISA_END
