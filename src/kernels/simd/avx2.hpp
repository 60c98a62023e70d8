// Vector traits for AVX2 + FMA kernels: 8 float lanes, 16 ymm registers. Include only inside an
// STRIDER_ISA_BEGIN_AVX2 region (kernels/isa_target.hpp), after every other header.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace strider::kernels::simd {

struct Avx2 {
  using V = __m256;
  static constexpr std::int64_t kLanes = 8;
  static constexpr std::int64_t kMaxVectors = 2;     // conv tiles: up to 2 x 6 accumulators
  static constexpr std::int64_t kAccumulators = 12;  // Zen 3: 2 FMA pipes x 4-cycle latency = 8+
  static constexpr std::int64_t kRegisters = 16;     // vector registers
  static V zero() { return _mm256_setzero_ps(); }
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static V broadcast(const float* p) { return _mm256_broadcast_ss(p); }
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V relu(V a) { return _mm256_max_ps(a, _mm256_setzero_ps()); }
  // a where y > 0, else 0 (also where y is NaN): a ReLU's mask applied to a gradient.
  static V where_positive(V y, V a) {
    return _mm256_and_ps(_mm256_cmp_ps(y, _mm256_setzero_ps(), _CMP_GT_OQ), a);
  }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V broadcast_value(float x) { return _mm256_set1_ps(x); }
  // max that is NaN when either side is: maxps returns its second operand (a) when either is
  // NaN, and the blend takes b where b is NaN.
  static V max_nan(V a, V b) {
    const V m = _mm256_max_ps(b, a);  // a when either is NaN
    return _mm256_blendv_ps(m, b, _mm256_cmp_ps(b, b, _CMP_UNORD_Q));
  }
  static __m256i mask(std::int64_t count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(count)),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  // The first `count` lanes (1..8) from p; the rest are zero and p[count..] is never read.
  static V load(const float* p, std::int64_t count) {
    return count == kLanes ? load(p) : _mm256_maskload_ps(p, mask(count));
  }
  static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static void store(float* p, V v, std::int64_t count) {
    if (count == kLanes) {
      _mm256_storeu_ps(p, v);
    } else {
      _mm256_maskstore_ps(p, mask(count), v);
    }
  }
};

}  // namespace strider::kernels::simd
