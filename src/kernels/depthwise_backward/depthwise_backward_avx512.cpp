// The direct depthwise Conv2D backward kernels (depthwise_backward.inl) for AVX-512F (16 lanes).
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "kernels/aligned.hpp"
#include "kernels/conv2d/conv2d_direct.hpp"
#include "kernels/depthwise/depthwise_kernel.hpp"
#include "kernels/depthwise_backward/depthwise_backward.hpp"
#include "kernels/isa_target.hpp"
#include "kernels/window_readers.hpp"
#include "strider/core/memory.hpp"

STRIDER_ISA_BEGIN_AVX512
#include "kernels/simd/avx512.hpp"

namespace strider::kernels {
using Isa = simd::Avx512;
}  // namespace strider::kernels

#define STRIDER_ISA_NAMESPACE depthwise_backward_avx512
#define STRIDER_ISA_FUNCTION(name) depthwise_backward_##name##_nhwc_direct_avx512
#include "kernels/depthwise_backward/depthwise_backward.inl"

STRIDER_ISA_END
