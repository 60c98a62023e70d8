// dense(): the product against plain double loops over row counts that tile differently (odd,
// even, one), a rank-3 input, one output column, many columns, the fused bias and ReLU, the empty
// cases, and every shape error.
#include "strider/ops/dense.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "nn/layer_test_util.hpp"
#include "strider/core/error.hpp"

namespace strider {
namespace {

using nn::testing::random_tensor;

// y[r, j] = activation(sum over i of x[r, i] * w[i, j] + bias[j]) in double.
std::vector<double> expected(const Tensor& x, const Tensor& w, const Tensor* bias,
                             Activation activation) {
  const std::int64_t k = w.dim(0), n = w.dim(1), rows = k == 0 ? 0 : x.size() / k;
  std::vector<double> y;
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t j = 0; j < n; ++j) {
      double sum = bias != nullptr ? bias->data()[j] : 0.0;
      for (std::int64_t i = 0; i < k; ++i) {
        sum += static_cast<double>(x.data()[r * k + i]) * w.data()[i * n + j];
      }
      y.push_back(activation == Activation::kRelu ? std::max(sum, 0.0) : sum);
    }
  }
  return y;
}

TEST(Dense, MatchesTheProductOverShapes) {
  std::uint64_t seed = 5;
  struct Case {
    Shape input;
    std::int64_t n;
  };
  for (const Case& c : {Case{{64, 3136}, 10}, Case{{7, 33}, 5}, Case{{1, 20}, 1}, Case{{6, 17}, 40},
                        Case{{2, 3, 9}, 4}, Case{{5, 1}, 3}}) {
    for (const bool with_bias : {false, true}) {
      for (const Activation activation : {Activation::kLinear, Activation::kRelu}) {
        SCOPED_TRACE(format_shape(c.input) + " n=" + std::to_string(c.n));
        const Tensor x = random_tensor(c.input, ++seed);
        const Tensor w = random_tensor({c.input.back(), c.n}, ++seed);
        const Tensor b = random_tensor({c.n}, ++seed);
        const Tensor* bias = with_bias ? &b : nullptr;
        const Tensor y = dense(x, w, bias, activation);
        Shape want = c.input;
        want.back() = c.n;
        ASSERT_EQ(y.shape(), want);
        const std::vector<double> e = expected(x, w, bias, activation);
        ASSERT_EQ(static_cast<std::size_t>(y.size()), e.size());
        for (std::size_t i = 0; i < e.size(); ++i) {
          ASSERT_NEAR(y.data()[i], e[i], 1e-4 * (1.0 + std::fabs(e[i]))) << "at " << i;
        }
      }
    }
  }
}

TEST(Dense, EmptyRowsColumnsAndTaps) {
  std::uint64_t seed = 6;
  EXPECT_EQ(dense(Tensor({0, 4}), random_tensor({4, 3}, ++seed)).shape(), (Shape{0, 3}));
  EXPECT_EQ(dense(random_tensor({2, 4}, ++seed), Tensor({4, 0})).shape(), (Shape{2, 0}));
  // No taps: every output is the bias, through the activation.
  Tensor bias({3});
  bias.data()[0] = -1.0f;
  bias.data()[1] = 2.0f;
  bias.data()[2] = 0.5f;
  const Tensor y = dense(Tensor({2, 0}), Tensor({0, 3}), &bias, Activation::kRelu);
  ASSERT_EQ(y.shape(), (Shape{2, 3}));
  for (std::int64_t r = 0; r < 2; ++r) {
    EXPECT_EQ(y.data()[r * 3 + 0], 0.0f);
    EXPECT_EQ(y.data()[r * 3 + 1], 2.0f);
    EXPECT_EQ(y.data()[r * 3 + 2], 0.5f);
  }
}

TEST(Dense, RefusesMismatchedShapes) {
  std::uint64_t seed = 7;
  const Tensor x = random_tensor({3, 4}, ++seed);
  EXPECT_THROW(dense(Tensor(Shape{}), random_tensor({1, 2}, ++seed)), ShapeError);
  EXPECT_THROW(dense(x, random_tensor({4}, ++seed)), ShapeError);
  EXPECT_THROW(dense(x, random_tensor({5, 2}, ++seed)), ShapeError);
  EXPECT_THROW(dense(x, random_tensor({1, 4, 2}, ++seed)), ShapeError);
  const Tensor bias = random_tensor({3}, ++seed);
  EXPECT_THROW(dense(x, random_tensor({4, 2}, ++seed), &bias), ShapeError);
  try {
    dense(x, random_tensor({5, 2}, ++seed));
    ADD_FAILURE() << "no ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("dense: input (3, 4) and kernel (5, 2)"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace strider
