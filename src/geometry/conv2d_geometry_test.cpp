#include "strider/geometry/conv2d_geometry.hpp"

#include <gtest/gtest.h>

#include <string>

#include "strider/core/error.hpp"

namespace strider {
namespace {

Conv2DGeometry make(Shape in, Shape filter, Conv2DParams p = {}) {
  return Conv2DGeometry::make(in, filter, p);
}

TEST(Conv2DGeometry, TheTutorialShapes) {
  Conv2DParams p;
  const Conv2DGeometry s1 = make({1, 10, 10, 3}, {3, 3, 3, 32}, p);
  EXPECT_EQ(s1.output_shape(), (Shape{1, 8, 8, 32}));
  EXPECT_EQ(s1.params(true), 896);
  EXPECT_EQ(s1.macs(), 8 * 8 * 32 * 27);
  p.strides = {2, 2};
  const Conv2DGeometry s2 = make({1, 10, 10, 3}, {3, 3, 3, 32}, p);
  EXPECT_EQ(s2.output_shape(), (Shape{1, 4, 4, 32}));
  EXPECT_EQ(s2.params(true), 896);
  EXPECT_EQ(s2.params(false), 864);
  EXPECT_EQ(s2.macs(), 4 * 4 * 32 * 27);
}

TEST(Conv2DGeometry, GroupsAndUnequalStrides) {
  Conv2DParams p;
  p.groups = 4;
  p.strides = {1, 3};
  p.padding = Padding2D::same();
  const Conv2DGeometry g = make({2, 9, 10, 8}, {3, 3, 2, 12}, p);
  EXPECT_EQ(g.output_shape(), (Shape{2, 9, 4, 12}));
  EXPECT_EQ(g.in_channels_per_group(), 2);
  EXPECT_EQ(g.out_channels_per_group(), 3);
  EXPECT_EQ(g.params(true), 3 * 3 * 2 * 12 + 12);
  EXPECT_EQ(g.macs(), 2 * 9 * 4 * 12 * 3 * 3 * 2);
}

TEST(Conv2DGeometry, EmptyBatchAndZeroExtents) {
  EXPECT_EQ(make({0, 5, 5, 3}, {3, 3, 3, 4}).output_shape(), (Shape{0, 3, 3, 4}));
  Conv2DParams p;
  p.padding = Padding2D::explicit_pads(1, 1, 2, 0);
  EXPECT_EQ(make({1, 0, 0, 3}, {1, 1, 3, 4}, p).output_shape(), (Shape{1, 2, 2, 4}));
  p.padding = Padding2D::same();
  EXPECT_EQ(make({1, 0, 4, 3}, {3, 3, 3, 4}, p).output_shape(), (Shape{1, 0, 4, 4}));
}

TEST(Conv2DGeometry, PairForms) {
  const std::int64_t one[] = {2}, two[] = {2, 3}, four[] = {1, 2, 3, 1};
  EXPECT_EQ(pair_from_list(one, "strides"), (Pair2D{2, 2}));
  EXPECT_EQ(pair_from_list(two, "strides"), (Pair2D{2, 3}));
  EXPECT_EQ(pair_from_list(four, "strides"), (Pair2D{2, 3}));
  const std::int64_t batch[] = {2, 2, 2, 1}, channel[] = {1, 2, 2, 2}, three[] = {1, 2, 2};
  EXPECT_THROW(pair_from_list(batch, "strides"), InvalidArgument);
  EXPECT_THROW(pair_from_list(channel, "strides"), InvalidArgument);
  EXPECT_THROW(pair_from_list(three, "strides"), InvalidArgument);
  EXPECT_THROW(pair_from_list({}, "strides"), InvalidArgument);
}

TEST(Conv2DGeometry, PaddingParse) {
  EXPECT_EQ(Padding2D::parse("VALID").kind, PaddingKind::kValid);
  EXPECT_EQ(Padding2D::parse("same").kind, PaddingKind::kSame);
  const Padding2D e = Padding2D::parse("1,2,3,4");
  EXPECT_EQ(e.kind, PaddingKind::kExplicit);
  EXPECT_EQ(e.top + 10 * e.bottom + 100 * e.left + 1000 * e.right, 4321);
  EXPECT_EQ(e.to_string(), "1,2,3,4");
  EXPECT_THROW(Padding2D::parse("full"), InvalidArgument);
  EXPECT_THROW(Padding2D::parse("1,2,3"), InvalidArgument);
  EXPECT_THROW(Padding2D::parse("1,-2,3,4"), InvalidArgument);
  EXPECT_THROW(Padding2D::parse(""), InvalidArgument);
}

TEST(Conv2DGeometry, RejectsMismatches) {
  EXPECT_THROW(make({1, 5, 5, 3}, {3, 3, 2, 4}), ShapeError);  // channels
  Conv2DParams p;
  p.groups = 2;
  EXPECT_THROW(make({1, 5, 5, 3}, {3, 3, 1, 4}, p), ShapeError);  // groups ∤ channels
  EXPECT_THROW(make({1, 5, 5, 4}, {3, 3, 2, 3}, p), ShapeError);  // groups ∤ filters
  p.groups = 0;
  EXPECT_THROW(make({1, 5, 5, 4}, {3, 3, 2, 4}, p), InvalidArgument);
  EXPECT_THROW(make({1, 5, 5}, {3, 3, 2, 4}), ShapeError);
  EXPECT_THROW(make({1, -5, 5, 2}, {3, 3, 2, 4}), ShapeError);
  EXPECT_THROW(make({1, 5, 5, 2}, {0, 3, 2, 4}), ShapeError);
  EXPECT_THROW(make({1, 5, 5, 2}, {3, 3, 2, 0}), ShapeError);
  EXPECT_THROW(make({1, 2, 5, 2}, {3, 3, 2, 4}), ShapeError);  // VALID window too large
  try {
    make({1, 5, 5, 3}, {3, 3, 2, 4});
  } catch (const ShapeError& e) {
    EXPECT_EQ(std::string(e.what()),
              "conv2d: input channels (3) must equal filter in-channels (2) * groups (1) = 2");
  }
}

TEST(Conv2DGeometry, RejectsOverflow) {
  const std::int64_t big = std::int64_t{1} << 40;
  Conv2DParams p;
  p.padding = Padding2D::same();
  EXPECT_THROW(make({big, big, big, 1}, {1, 1, 1, 1}, p), ShapeError);
  EXPECT_THROW(make({1, big, big, 1}, {1, 1, 1, big}, p), ShapeError);
  EXPECT_THROW(make({1, 1, 1, big}, {1, 1, big, big}, p), ShapeError);  // parameter count
}

}  // namespace
}  // namespace strider
