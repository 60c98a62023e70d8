// The direct Conv2D kernel for AVX-512F: 16 lanes, 32 zmm registers, so tiles of up to 4 vectors
// x 6 pixels (24 accumulators). Compiled for AVX-512F; masked stores for channel tails.
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <memory>
#include <vector>

#include "kernels/conv2d/conv2d_direct.hpp"
#include "kernels/isa_target.hpp"

STRIDER_ISA_BEGIN_AVX512
#include "kernels/simd/avx512.hpp"

namespace strider::kernels {
using Isa = simd::Avx512;
}  // namespace strider::kernels

#define STRIDER_ISA_NAMESPACE avx512
#define STRIDER_ISA_FUNCTION(name) conv2d_nhwc_direct_avx512_##name
#include "kernels/conv2d/conv2d_direct.inl"

STRIDER_ISA_END
