// The direct Conv2D kernel for any CPU: one float per "vector", 4 x 4 tiles, compiled with the
// baseline flags (the compiler may still vectorise it). Used where neither AVX2 nor AVX-512 is.
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <memory>
#include <vector>

#include "kernels/conv2d/conv2d_direct.hpp"
#include "kernels/simd/generic.hpp"

namespace strider::kernels {
using Isa = simd::Generic;
}  // namespace strider::kernels

#define STRIDER_ISA_NAMESPACE generic
#define STRIDER_ISA_FUNCTION(name) conv2d_nhwc_direct_generic_##name
#include "kernels/conv2d/conv2d_direct.inl"
