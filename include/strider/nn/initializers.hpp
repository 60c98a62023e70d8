// Weight initializers with Keras's bounds (keras.initializers). The layers in nn draw their
// filters from these. The random stream is Strider's Rng, so the values differ from Keras's while
// the distribution and its bounds are the same.
#pragma once

#include <cstdint>
#include <span>

#include "strider/core/tensor.hpp"

namespace strider::nn {

// The numbers of input and output units of a weight shape.
struct Fans {
  std::int64_t in = 1;
  std::int64_t out = 1;
  bool operator==(const Fans&) const = default;
};

// Keras's compute_fans. Rank >= 3 (convolution filters, (..., input_depth, depth)): receptive
// field = product of every dimension but the last two, fan_in = shape[-2] * receptive field,
// fan_out = shape[-1] * receptive field. Rank 2: (shape[0], shape[1]); rank 1: (shape[0],
// shape[0]); rank 0: (1, 1). Throws ShapeError on a negative extent or on overflow.
Fans compute_fans(std::span<const std::int64_t> shape);

// keras.initializers.GlorotUniform's bound: sqrt(3 / max(1, (fan_in + fan_out) / 2)), i.e.
// sqrt(6 / (fan_in + fan_out)) for fan_in + fan_out >= 2. Throws like compute_fans.
double glorot_uniform_limit(std::span<const std::int64_t> shape);

// A tensor of `shape` filled in C order with values uniform in [-limit, limit), limit =
// glorot_uniform_limit(shape), drawn from Rng(seed). Same shape and seed, same values, on every
// platform. Throws ShapeError like Tensor(shape).
Tensor glorot_uniform(Shape shape, std::uint64_t seed);

}  // namespace strider::nn
