// The direct (gather) Conv2D input gradient for AVX-512F (16 lanes, 24 accumulators).
#include <omp.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "kernels/aligned.hpp"
#include "kernels/conv2d/conv2d_direct.hpp"
#include "kernels/conv2d_backward/conv2d_backward_direct.hpp"
#include "kernels/isa_target.hpp"
#include "kernels/window_readers.hpp"
#include "strider/core/memory.hpp"

STRIDER_ISA_BEGIN_AVX512
#include "kernels/simd/avx512.hpp"

namespace strider::kernels {
using Isa = simd::Avx512;
}  // namespace strider::kernels

#define STRIDER_ISA_NAMESPACE backward_direct_avx512
#define STRIDER_ISA_FUNCTION(name) conv2d_backward_##name##_nhwc_direct_avx512
#include "kernels/conv2d_backward/conv2d_backward_direct.inl"

STRIDER_ISA_END
