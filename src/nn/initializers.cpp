#include "strider/nn/initializers.hpp"

#include <cmath>
#include <utility>

#include "strider/core/checked.hpp"
#include "strider/core/random.hpp"

namespace strider::nn {

Fans compute_fans(std::span<const std::int64_t> shape) {
  shape_size(shape, "compute_fans: shape");
  if (shape.empty()) return {1, 1};
  if (shape.size() == 1) return {shape[0], shape[0]};
  const std::int64_t receptive =
      checked_product(shape.first(shape.size() - 2), "compute_fans: receptive field");
  return {checked_mul(shape[shape.size() - 2], receptive, "compute_fans: fan_in"),
          checked_mul(shape[shape.size() - 1], receptive, "compute_fans: fan_out")};
}

double glorot_uniform_limit(std::span<const std::int64_t> shape) {
  const Fans fans = compute_fans(shape);
  // Keras: VarianceScaling(scale=1, mode="fan_avg", distribution="uniform"), whose limit
  // sqrt(3 / max(1, sum / 2)) is sqrt(6 / sum) once sum >= 2 (written so, it rounds once).
  const double sum = static_cast<double>(fans.in) + static_cast<double>(fans.out);
  return sum >= 2.0 ? std::sqrt(6.0 / sum) : std::sqrt(3.0);
}

Tensor glorot_uniform(Shape shape, std::uint64_t seed) {
  const double limit = glorot_uniform_limit(shape);
  Tensor values(std::move(shape));
  Rng rng(seed);
  rng.fill_uniform(values.values(), -limit, limit);
  return values;
}

}  // namespace strider::nn
