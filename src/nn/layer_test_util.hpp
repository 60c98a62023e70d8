// Helpers shared by the nn layer tests (test-only header).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>

#include "strider/core/random.hpp"
#include "strider/core/tensor.hpp"

namespace strider::nn::testing {

// Values uniform in [-1, 1) from Rng(seed).
inline Tensor random_tensor(Shape shape, std::uint64_t seed) {
  Tensor t(std::move(shape));
  Rng(seed).fill_uniform(t.values(), -1.0, 1.0);
  return t;
}

// Same shape and bit-identical values.
inline void expect_identical(const Tensor& actual, const Tensor& expected) {
  ASSERT_EQ(actual.shape(), expected.shape());
  for (std::int64_t i = 0; i < actual.size(); ++i) {
    ASSERT_EQ(actual.data()[i], expected.data()[i]) << "at flat index " << i;
  }
}

// Every value in [-limit, limit], the largest magnitude above 0.9 * limit (enough values for
// that), so a wrong bound either way fails.
inline void expect_glorot_bounded(const Tensor& values, double limit) {
  double largest = 0.0;
  for (float v : values.values()) largest = std::max(largest, std::abs(static_cast<double>(v)));
  EXPECT_LE(largest, limit);
  EXPECT_GT(largest, 0.9 * limit);
}

// `run` throws `E` whose message is exactly `message`.
template <class E, class F>
void expect_error(F&& run, const std::string& message) {
  try {
    std::forward<F>(run)();
    ADD_FAILURE() << "no exception; expected: " << message;
  } catch (const E& e) {
    EXPECT_EQ(std::string(e.what()), message);
  }
}

}  // namespace strider::nn::testing
