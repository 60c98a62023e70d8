// Vector traits for the portable kernels: one float per "vector"; the compiler may still
// vectorise the loops. Compiled with the baseline flags.
#pragma once

#include <cstdint>

namespace strider::kernels::simd {

struct Generic {
  using V = float;
  static constexpr std::int64_t kLanes = 1;
  static constexpr std::int64_t kMaxVectors = 4;
  static constexpr std::int64_t kAccumulators = 16;
  static constexpr std::int64_t kRegisters = 16;  // vector registers
  static V zero() { return 0.0f; }
  static V load(const float* p) { return *p; }
  static V broadcast(const float* p) { return *p; }
  static V fmadd(V a, V b, V c) { return a * b + c; }
  static V add(V a, V b) { return a + b; }
  static V relu(V a) { return a > 0.0f ? a : 0.0f; }
  // a where y > 0, else 0 (also where y is NaN): a ReLU's mask applied to a gradient.
  static V where_positive(V y, V a) { return y > 0.0f ? a : 0.0f; }
  static V mul(V a, V b) { return a * b; }
  static V broadcast_value(float x) { return x; }
  static V max_nan(V a, V b) { return (a != a || b != b) ? a + b : (a > b ? a : b); }
  static V load(const float* p, std::int64_t) { return *p; }
  static void store(float* p, V v) { *p = v; }
  static void store(float* p, V v, std::int64_t) { *p = v; }
};

}  // namespace strider::kernels::simd
