// What this CPU offers: the vector ISA the kernels may use and its measured peak FP32 FMA
// throughput, the yardstick every benchmark reports against ("fast" means close to this).
#pragma once

#include <string>

namespace strider {

struct CpuFeatures {
  bool avx2_fma = false;
  bool avx512f = false;
};

CpuFeatures cpu_features();

// "avx512", "avx2" or "generic": the widest ISA the kernels use here.
std::string best_isa();

// Measures the peak FP32 multiply-add rate with `threads` threads (each running independent
// register-resident FMAs in the widest ISA for about `seconds`), in GFLOP/s (2 FLOP per FMA
// lane). threads < 1 means all available.
double measure_peak_gflops(int threads, double seconds = 0.2);

}  // namespace strider
