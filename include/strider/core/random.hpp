// A seeded random source whose sequence is the same on every platform and compiler: the engine is
// std::mt19937_64 (fully specified by the standard) and the conversions to uniform and normal
// values are written here rather than taken from <random>'s implementation-defined distributions.
#pragma once

#include <cstdint>
#include <random>
#include <span>

namespace strider {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // Uniform in [low, high).
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  // Standard normal (Box-Muller).
  double normal();

  void fill_uniform(std::span<float> values, double low, double high);
  void fill_normal(std::span<float> values, double mean = 0.0, double stddev = 1.0);

 private:
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace strider
