#include "strider/core/timing.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

namespace strider {

TimingStats time_runs(const std::function<void()>& fn, int min_runs, double min_seconds) {
  using Clock = std::chrono::steady_clock;
  fn();
  std::vector<double> ms;
  const auto start = Clock::now();
  while (ms.size() < 100000 &&
         (static_cast<int>(ms.size()) < min_runs ||
          std::chrono::duration<double>(Clock::now() - start).count() < min_seconds)) {
    const auto t0 = Clock::now();
    fn();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  TimingStats s;
  s.runs = static_cast<int>(ms.size());
  s.min_ms = ms.front();
  s.median_ms =
      ms.size() % 2 == 1 ? ms[ms.size() / 2] : 0.5 * (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]);
  return s;
}

}  // namespace strider
