// Vector traits for AVX-512F kernels: 16 float lanes, 32 zmm registers. Include only inside an
// STRIDER_ISA_BEGIN_AVX512 region (kernels/isa_target.hpp), after every other header.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace strider::kernels::simd {

struct Avx512 {
  using V = __m512;
  static constexpr std::int64_t kLanes = 16;
  static constexpr std::int64_t kMaxVectors = 4;  // conv tiles: up to 4 x 6 accumulators
  static constexpr std::int64_t kAccumulators = 24;
  static constexpr std::int64_t kRegisters = 32;  // vector registers
  static V zero() { return _mm512_setzero_ps(); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static V broadcast(const float* p) { return _mm512_broadcastss_ps(_mm_load_ss(p)); }
  static V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V relu(V a) { return _mm512_max_ps(a, _mm512_setzero_ps()); }
  // a where y > 0, else 0 (also where y is NaN): a ReLU's mask applied to a gradient.
  static V where_positive(V y, V a) {
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(y, _mm512_setzero_ps(), _CMP_GT_OQ), a);
  }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V broadcast_value(float x) { return _mm512_broadcastss_ps(_mm_set_ss(x)); }
  // max that is NaN when either side is: maxps returns its second operand (a) when either is
  // NaN, and the blend takes b where b is NaN.
  static V max_nan(V a, V b) {
    const V m = _mm512_max_ps(b, a);  // a when either is NaN
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(b, b, _CMP_UNORD_Q), m, b);
  }
  static __mmask16 mask(std::int64_t count) { return static_cast<__mmask16>((1u << count) - 1u); }
  static V load(const float* p, std::int64_t count) {
    return _mm512_maskz_loadu_ps(mask(count), p);
  }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static void store(float* p, V v, std::int64_t count) { _mm512_mask_storeu_ps(p, mask(count), v); }
};

}  // namespace strider::kernels::simd
