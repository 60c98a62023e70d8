#include "strider/geometry/problem.hpp"

#include <gtest/gtest.h>

#include "strider/core/error.hpp"

namespace strider {
namespace {

TEST(Problem, ParsesEveryOpAndRoundTrips) {
  const Problem c =
      Problem::parse("op=conv input=1,56,56,128 filters=128 kernel=3 strides=2 padding=same");
  EXPECT_EQ(c.output_shape(), (Shape{1, 28, 28, 128}));
  EXPECT_EQ(c.filter_shape(), (Shape{3, 3, 128, 128}));
  EXPECT_DOUBLE_EQ(c.flops(), 2.0 * 28 * 28 * 128 * 9 * 128);
  EXPECT_EQ(Problem::parse(c.to_string()).output_shape(), c.output_shape());

  const Problem d =
      Problem::parse("op=depthwise input=1,112,112,96 kernel=3 strides=2,1 multiplier=2");
  EXPECT_EQ(d.output_shape(), (Shape{1, 55, 110, 192}));
  EXPECT_EQ(Problem::parse(d.to_string()).to_string(), d.to_string());

  // Pooling strides default to the pool size, as in Keras.
  const Problem p = Problem::parse("op=pool pool=avg input=1,7,7,3 kernel=2");
  EXPECT_EQ(p.params.strides, (Pair2D{2, 2}));
  EXPECT_EQ(p.output_shape(), (Shape{1, 3, 3, 3}));
  EXPECT_FALSE(p.max_pool);
}

TEST(Problem, ListsSkipCommentsAndBlankLines) {
  const auto list = parse_problem_list(
      "# header\n\nop=conv input=1,10,10,3 filters=32 kernel=3   # tutorial\n"
      "op=conv input=1,10,10,3 filters=32 kernel=3 strides=2\n");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].output_shape(), (Shape{1, 4, 4, 32}));
}

TEST(Problem, RejectsBadText) {
  for (const char* bad : {"", "input=1,10,10", "op=fft input=1,10,10,3", "input=1,10,10,3 size=3",
                          "input=1,10,10,3 filters", "input=1,10,10,3 filters=3 kernel=11",
                          "input=1,10,10,3 filters=3 groups=2", "op=pool input=1,5,5,1 pool=min"}) {
    EXPECT_THROW(Problem::parse(bad), Error) << bad;
  }
}

}  // namespace
}  // namespace strider
