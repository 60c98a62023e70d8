// Element-wise loops of the trainer on OpenMP threads when they are large enough to pay for the
// threads. Each index is written by one thread only, so results never depend on the thread count.
#pragma once

#include <cstdint>

#include "kernels/parallel.hpp"

namespace strider::train::detail {

// About 32K simple float operations: below that, entering a parallel region costs more than the
// loop itself.
inline constexpr std::int64_t kParallelWork = std::int64_t{1} << 15;

// body(i) for i in [0, count); `cost` is the work of one index in simple float operations.
template <class Body>
void for_each_index(std::int64_t count, std::int64_t cost, const Body& body) {
  kernels::parallel_for(count, count * cost >= kParallelWork, body);
}

}  // namespace strider::train::detail
