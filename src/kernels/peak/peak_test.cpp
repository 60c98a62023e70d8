#include <gtest/gtest.h>

#include "strider/core/machine.hpp"

namespace strider {
namespace {

// One core does at most 64 FLOP per cycle at no more than 6 GHz. A figure above that means the
// compiler removed or merged the loop (it once reported millions of GFLOP/s when GCC reused one
// call's result for the next). No lower bound: an unoptimised sanitizer build is slow, and
// benchmarks never fail on time.
TEST(Machine, PeakIsPhysicallyPlausible) {
  const double peak = measure_peak_gflops(1, 0.05);
  EXPECT_GT(peak, 0.0);
  EXPECT_LT(peak, 64.0 * 6.0);
  EXPECT_FALSE(best_isa().empty());
}

}  // namespace
}  // namespace strider
