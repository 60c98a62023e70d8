// The direct depthwise Conv2D backward kernels (depthwise_backward.inl) for AVX2 + FMA (8 lanes).
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

STRIDER_ISA_BEGIN_AVX2
#include "kernels/simd/avx2.hpp"

namespace strider::kernels {
using Isa = simd::Avx2;
}  // namespace strider::kernels

#define STRIDER_ISA_NAMESPACE depthwise_backward_avx2
#define STRIDER_ISA_FUNCTION(name) depthwise_backward_##name##_nhwc_direct_avx2
#include "kernels/depthwise_backward/depthwise_backward.inl"

STRIDER_ISA_END
