#include <gtest/gtest.h>

#include "strider/core/machine.hpp"

namespace strider {
namespace {

// A register-resident FMA loop runs at 2-64 FLOP per cycle on any x86-64 at 0.5-6 GHz. A figure
// outside that band means the compiler removed or merged the loop (it once reported millions of
// GFLOP/s when GCC reused one call's result for the next).
TEST(Machine, PeakIsPhysicallyPlausible) {
  const double peak = measure_peak_gflops(1, 0.05);
  EXPECT_GT(peak, 1.0);
  EXPECT_LT(peak, 64.0 * 6.0);
  EXPECT_FALSE(best_isa().empty());
}

}  // namespace
}  // namespace strider
