// The column-matrix Conv2D backward kernels for any CPU (one float per "vector", compiled with the
// baseline flags), used where neither AVX2 nor AVX-512 is.
#include <omp.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "kernels/aligned.hpp"
#include "kernels/conv2d/conv2d_direct.hpp"
#include "kernels/conv2d_backward/conv2d_backward_gemm.hpp"
#include "kernels/simd/generic.hpp"
#include "strider/core/checked.hpp"
#include "strider/core/memory.hpp"

namespace strider::kernels {
using Isa = simd::Generic;
}  // namespace strider::kernels

#define STRIDER_ISA_NAMESPACE backward_generic
#define STRIDER_ISA_FUNCTION(name) conv2d_backward_##name##_nhwc_gemm_generic
#include "kernels/conv2d_backward/conv2d_backward_gemm.inl"
