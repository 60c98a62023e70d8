// Register-tile and thread-count arithmetic shared by the direct and gemm kernels, written once for
// every ISA (each kernel file instantiates vectors_for with its own vector traits).
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>

#include "strider/geometry/conv2d_geometry.hpp"

namespace strider::kernels {

// Below this many MACs the kernels stay on one thread: waking a second costs more than it saves
// on the tutorial-sized layers (PERF.md: the peers slow down with 2 threads there).
inline constexpr std::int64_t kParallelMacs = std::int64_t{1} << 18;

inline std::int64_t round_up(std::int64_t v, std::int64_t m) { return (v + m - 1) / m * m; }

// How many threads a kernel call uses: one below kParallelMacs, else OpenMP's count.
inline int teams_for(const Conv2DGeometry& g) {
  return g.macs() >= kParallelMacs ? std::max(1, omp_get_max_threads()) : 1;
}

// Vectors per register tile for a vector dimension of `extent` floats: Isa::kMaxVectors, fewer
// when the extent is short, so that the accumulators go to more pixels (or broadcast rows).
template <class Isa>
std::int64_t vectors_for(std::int64_t extent) {
  std::int64_t nv = Isa::kMaxVectors;
  while (nv > 1 && (nv - 1) * Isa::kLanes >= extent) --nv;
  return nv;
}

}  // namespace strider::kernels
