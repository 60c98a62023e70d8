#include "strider/ops/pool2d.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numeric>

#include "strider/core/error.hpp"

namespace strider {
namespace {

Tensor iota(Shape shape) {
  Tensor t(std::move(shape));
  std::iota(t.values().begin(), t.values().end(), 1.0f);
  return t;
}

TEST(Pool2D, MaxAndAverageByHand) {
  const Tensor x = iota({1, 4, 4, 1});  // rows 1-4, 5-8, 9-12, 13-16
  Pool2DParams p;
  const Tensor m = max_pool2d(x, p);
  ASSERT_EQ(m.shape(), (Shape{1, 2, 2, 1}));
  EXPECT_EQ(m.at(0, 0, 0, 0), 6);
  EXPECT_EQ(m.at(0, 1, 1, 0), 16);
  const Tensor a = avg_pool2d(x, p);
  EXPECT_EQ(a.at(0, 0, 0, 0), (1 + 2 + 5 + 6) / 4.0f);
  // SAME, pool 3, stride 3 on 4: out 2, pad 2 -> 1 before, 1 after. The corner window holds
  // 2x2 real cells; the average divides by 4, not 9.
  p.pool_size = {3, 3};
  p.padding = Padding2D::same();
  const Tensor s = avg_pool2d(x, p);
  ASSERT_EQ(s.shape(), (Shape{1, 2, 2, 1}));
  EXPECT_EQ(s.at(0, 0, 0, 0), (1 + 2 + 5 + 6) / 4.0f);
  EXPECT_EQ(s.at(0, 1, 1, 0), (11 + 12 + 15 + 16) / 4.0f);
  // Max ignores padding even when every real value is negative.
  Tensor neg = x;
  for (float& v : neg.values()) v = -v;
  EXPECT_EQ(max_pool2d(neg, p).at(0, 0, 0, 0), -1.0f);
}

TEST(Pool2D, StrideLargerThanPoolSkipsPixels) {
  const Tensor x = iota({1, 1, 7, 1});
  Pool2DParams p;
  p.pool_size = {1, 2};
  p.strides = Pair2D{1, 3};
  const Tensor m = max_pool2d(x, p);
  ASSERT_EQ(m.shape(), (Shape{1, 1, 2, 1}));
  EXPECT_EQ(m.at(0, 0, 0, 0), 2);
  EXPECT_EQ(m.at(0, 0, 1, 0), 5);
}

TEST(Pool2D, NaNPropagatesThroughMax) {
  Tensor x = iota({1, 2, 2, 1});
  x.at(0, 1, 0, 0) = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(std::isnan(max_pool2d(x, {}).at(0, 0, 0, 0)));
}

TEST(Pool2D, Global) {
  const Tensor x = iota({2, 2, 3, 2});
  const Tensor a = global_avg_pool2d(x);
  ASSERT_EQ(a.shape(), (Shape{2, 2}));
  EXPECT_EQ(a.data()[0], (1 + 3 + 5 + 7 + 9 + 11) / 6.0f);
  const Tensor m = global_max_pool2d(x);
  EXPECT_EQ(m.data()[3], 24.0f);
  EXPECT_THROW(global_avg_pool2d(Tensor({1, 0, 3, 2})), ShapeError);
  EXPECT_THROW(global_max_pool2d(Tensor({3, 2})), ShapeError);
}

TEST(Pool2D, ParseOp) {
  EXPECT_EQ(parse_pool_op("max"), PoolOp::kMax);
  EXPECT_EQ(parse_pool_op("avg"), PoolOp::kAvg);
  EXPECT_THROW(parse_pool_op("min"), InvalidArgument);
}

}  // namespace
}  // namespace strider
