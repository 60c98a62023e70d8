#include "strider/core/tensor.hpp"

#include <gtest/gtest.h>

#include <cstdint>

#include "strider/core/error.hpp"
#include "strider/core/random.hpp"

namespace strider {
namespace {

TEST(Tensor, ZeroFilledAlignedAndCopyable) {
  Tensor t({2, 3, 4, 5});
  EXPECT_EQ(t.size(), 120);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(t.data()) % Tensor::kAlignment, 0u);
  for (float v : t.values()) EXPECT_EQ(v, 0.0f);
  t.at(1, 2, 3, 4) = 7.0f;
  EXPECT_EQ(t.data()[119], 7.0f);
  Tensor copy = t;
  copy.at(0, 0, 0, 0) = 1.0f;
  EXPECT_EQ(t.at(0, 0, 0, 0), 0.0f);
  EXPECT_EQ(copy.at(1, 2, 3, 4), 7.0f);
  Tensor empty;
  EXPECT_TRUE(empty.empty());
  Tensor empty_copy = empty;
  EXPECT_EQ(empty_copy.shape(), (Shape{0}));
}

// Tensors of 2 MiB and more start on a huge page; every value is writable and zero-filled, the
// last one included (the allocation is rounded up to whole huge pages, never down).
TEST(Tensor, LargeTensorsStartOnAHugePage) {
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  for (const std::int64_t floats : {std::int64_t{1} << 19, (std::int64_t{1} << 19) + 1,
                                    std::int64_t{3} << 19, (std::int64_t{1} << 19) - 1}) {
    Tensor t(Shape{floats});
    const auto at = reinterpret_cast<std::uintptr_t>(t.data());
    if (floats >= (std::int64_t{1} << 19)) {
      EXPECT_EQ(at % kHuge, 0u) << floats;
    } else {
      EXPECT_EQ(at % Tensor::kAlignment, 0u) << floats;
    }
    EXPECT_EQ(t.data()[floats - 1], 0.0f);
    t.data()[floats - 1] = 1.0f;
    EXPECT_EQ(Tensor(t).data()[floats - 1], 1.0f);
  }
}

TEST(Tensor, RejectsBadShapes) {
  EXPECT_THROW(Tensor({2, -1}), ShapeError);
  EXPECT_THROW(Tensor({1, 1, 1, 1, 1, 1, 1, 1, 1}), ShapeError);
  const std::int64_t big = std::int64_t{1} << 32;
  EXPECT_THROW(Tensor({big, big, big}), ShapeError);
  const float values[] = {1, 2, 3};
  EXPECT_THROW(Tensor(Shape{2, 2}, values), ShapeError);
}

TEST(Tensor, FormatShapeLikeNumPy) {
  EXPECT_EQ(format_shape(Shape{1, 8, 8, 32}), "(1, 8, 8, 32)");
  EXPECT_EQ(format_shape(Shape{5}), "(5,)");
  EXPECT_EQ(format_shape(Shape{}), "()");
}

TEST(Rng, SameSeedSameSequence) {
  Rng a(42), b(42), c(43);
  for (int i = 0; i < 100; ++i) {
    const double x = a.normal();
    EXPECT_EQ(x, b.normal());
    EXPECT_NE(x, c.normal());
  }
  Rng u(1);
  double lo = 1.0, hi = 0.0;
  for (int i = 0; i < 10000; ++i) {
    const double x = u.uniform(-0.5, 0.5);
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  EXPECT_GE(lo, -0.5);
  EXPECT_LT(hi, 0.5);
  EXPECT_LT(lo, -0.49);
  EXPECT_GT(hi, 0.49);
}

}  // namespace
}  // namespace strider
