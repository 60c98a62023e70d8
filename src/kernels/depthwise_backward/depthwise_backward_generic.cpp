// The direct depthwise Conv2D backward kernels (depthwise_backward.inl) for any CPU (one float per
// "vector", compiled with the baseline flags), used where neither AVX2 nor AVX-512 is.
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "kernels/aligned.hpp"
#include "kernels/conv2d/conv2d_direct.hpp"
#include "kernels/depthwise/depthwise_kernel.hpp"
#include "kernels/depthwise_backward/depthwise_backward.hpp"
#include "kernels/simd/generic.hpp"
#include "kernels/window_readers.hpp"
#include "strider/core/memory.hpp"

namespace strider::kernels {
using Isa = simd::Generic;
}  // namespace strider::kernels

#define STRIDER_ISA_NAMESPACE depthwise_backward_generic
#define STRIDER_ISA_FUNCTION(name) depthwise_backward_##name##_nhwc_direct_generic
#include "kernels/depthwise_backward/depthwise_backward.inl"
