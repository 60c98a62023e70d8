#include "strider/core/random.hpp"

#include <cmath>
#include <numbers>

namespace strider {

double Rng::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  // 1 - uniform() lies in (0, 1], so the logarithm is finite.
  const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform()));
  const double angle = 2.0 * std::numbers::pi * uniform();
  spare_ = radius * std::sin(angle);
  has_spare_ = true;
  return radius * std::cos(angle);
}

void Rng::fill_uniform(std::span<float> values, double low, double high) {
  for (float& v : values) v = static_cast<float>(uniform(low, high));
}

void Rng::fill_normal(std::span<float> values, double mean, double stddev) {
  for (float& v : values) v = static_cast<float>(mean + stddev * normal());
}

}  // namespace strider
