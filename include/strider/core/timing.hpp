// Timing for benchmarks: repeated runs, median and minimum. The machines Strider is measured on
// are shared and noisy, so every figure is a median of many runs, never a single one.
#pragma once

#include <functional>

namespace strider {

struct TimingStats {
  double median_ms = 0.0;
  double min_ms = 0.0;
  int runs = 0;
};

// Calls `fn` once to warm up, then at least `min_runs` times and for at least `min_seconds`
// (at most 100000 runs), timing each call on the steady clock.
TimingStats time_runs(const std::function<void()>& fn, int min_runs = 20, double min_seconds = 0.5);

}  // namespace strider
