// Peak FP32 FMA throughput: independent accumulators in registers, no memory traffic, so the loop
// runs at the FMA pipes' rate. 12 accumulators cover AVX2 on Zen 3 (2 pipes x 4-cycle latency
// = 8 in flight); 24 cover AVX-512.
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "kernels/conv2d/conv2d_direct.hpp"
#include "kernels/isa_target.hpp"
#include "strider/core/machine.hpp"

namespace strider {
namespace {

using Clock = std::chrono::steady_clock;

// Each call performs iterations * lanes * accumulators FMAs and returns a value that depends on
// all of them, which it also stores to a volatile: a side effect, so that no compiler may prove
// the functions pure and reuse one call's result for the next call with the same count (GCC did,
// and the "peak" became millions of GFLOP/s). GCC's noipa said the same, but clang ignores it.
#define STRIDER_OPAQUE __attribute__((noinline))
volatile float peak_sink = 0.0f;

float published(float result) {
  peak_sink = result;
  return result;
}

STRIDER_OPAQUE float fma_loop_generic(std::int64_t iterations) {
  float acc[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  const float a = 0.999f, b = 1e-6f;
  for (std::int64_t i = 0; i < iterations; ++i) {
    for (float& v : acc) v = v * a + b;
  }
  float s = 0;
  for (float v : acc) s += v;
  return published(s);
}

STRIDER_ISA_BEGIN_AVX2
STRIDER_OPAQUE float fma_loop_avx2(std::int64_t iterations) {
  __m256 acc[12];
  for (int j = 0; j < 12; ++j) acc[j] = _mm256_set1_ps(static_cast<float>(j));
  const __m256 a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(1e-6f);
  for (std::int64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 12
    for (int j = 0; j < 12; ++j) acc[j] = _mm256_fmadd_ps(acc[j], a, b);
  }
  __m256 s = acc[0];
  for (int j = 1; j < 12; ++j) s = _mm256_add_ps(s, acc[j]);
  return published(_mm256_cvtss_f32(s));
}
STRIDER_ISA_END

STRIDER_ISA_BEGIN_AVX512
STRIDER_OPAQUE float fma_loop_avx512(std::int64_t iterations) {
  __m512 acc[24];
  for (int j = 0; j < 24; ++j) acc[j] = _mm512_broadcastss_ps(_mm_set_ss(static_cast<float>(j)));
  const __m512 a = _mm512_broadcastss_ps(_mm_set_ss(0.999f));
  const __m512 b = _mm512_broadcastss_ps(_mm_set_ss(1e-6f));
  for (std::int64_t i = 0; i < iterations; ++i) {
    // Unrolled by force: GCC 12 leaves a 24-step loop rolled and keeps the accumulators in
    // memory, a store-to-load chain that measured half the FMA rate on Ice Lake.
#pragma GCC unroll 24
    for (int j = 0; j < 24; ++j) acc[j] = _mm512_fmadd_ps(acc[j], a, b);
  }
  __m512 s = acc[0];
  for (int j = 1; j < 24; ++j) s = _mm512_add_ps(s, acc[j]);
  return published(_mm512_reduce_add_ps(s));
}
STRIDER_ISA_END

}  // namespace

CpuFeatures cpu_features() { return {kernels::cpu_has_avx2(), kernels::cpu_has_avx512()}; }

std::string best_isa() {
  const CpuFeatures f = cpu_features();
  return f.avx512f ? "avx512" : f.avx2_fma ? "avx2" : "generic";
}

double measure_peak_gflops(int threads, double seconds) {
  const CpuFeatures f = cpu_features();
  const double flops_per_iteration = f.avx512f ? 24 * 16 * 2 : f.avx2_fma ? 12 * 8 * 2 : 8 * 2;
  const auto loop = [&](std::int64_t n) {
    return f.avx512f ? fma_loop_avx512(n) : f.avx2_fma ? fma_loop_avx2(n) : fma_loop_generic(n);
  };
  if (threads < 1) threads = omp_get_max_threads();
  // Calibrate on one thread, then time every thread running the same count; best of 3.
  std::int64_t n = 1 << 16;
  for (;;) {
    const auto t0 = Clock::now();
    volatile float sink = loop(n);
    (void)sink;
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (s > seconds / 4 || n > (std::int64_t{1} << 40)) break;
    n *= 2;
  }
  double best = 0.0;
  for (int trial = 0; trial < 3; ++trial) {
    const auto t0 = Clock::now();
#pragma omp parallel num_threads(threads)
    {
      volatile float sink = loop(n);
      (void)sink;
    }
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    best = std::max(best, flops_per_iteration * static_cast<double>(n) * threads / s / 1e9);
  }
  return best;
}

}  // namespace strider
