#include "strider/geometry/pool2d_geometry.hpp"

#include <gtest/gtest.h>

#include "strider/core/error.hpp"

namespace strider {
namespace {

TEST(Pool2DGeometry, StridesDefaultToThePoolSize) {
  Pool2DParams p;  // Keras's MaxPooling2D(): pool (2, 2), strides = pool, 'valid'
  EXPECT_EQ(Pool2DGeometry::make(Shape{1, 7, 7, 3}, p).output_shape(), (Shape{1, 3, 3, 3}));
  p.padding = Padding2D::same();
  const Pool2DGeometry g = Pool2DGeometry::make(Shape{1, 7, 7, 3}, p);
  EXPECT_EQ(g.output_shape(), (Shape{1, 4, 4, 3}));
  EXPECT_EQ(g.height.pad_before(), 0);
  EXPECT_EQ(g.height.pad_after(), 1);
  EXPECT_EQ(g.ops(), 1 * 4 * 4 * 3 * 4);
  p.pool_size = {3, 2};
  p.strides = Pair2D{1, 3};
  p.padding = Padding2D::valid();
  EXPECT_EQ(Pool2DGeometry::make(Shape{2, 5, 8, 1}, p).output_shape(), (Shape{2, 3, 3, 1}));
}

TEST(Pool2DGeometry, RejectsBadInput) {
  Pool2DParams p;
  p.pool_size = {3, 3};
  EXPECT_THROW(Pool2DGeometry::make(Shape{1, 2, 5, 1}, p), ShapeError);  // VALID, pool > input
  p.pool_size = {0, 2};
  EXPECT_THROW(Pool2DGeometry::make(Shape{1, 5, 5, 1}, p), InvalidArgument);
  p.pool_size = {2, 2};
  p.strides = Pair2D{2, 0};
  EXPECT_THROW(Pool2DGeometry::make(Shape{1, 5, 5, 1}, p), InvalidArgument);
  p.strides.reset();
  p.padding = Padding2D::explicit_pads(1, 1, 1, 1);
  EXPECT_THROW(Pool2DGeometry::make(Shape{1, 5, 5, 1}, p), InvalidArgument);
  p.padding = Padding2D::valid();
  EXPECT_THROW(Pool2DGeometry::make(Shape{5, 5, 1}, p), ShapeError);
  EXPECT_THROW(Pool2DGeometry::make(Shape{1, -5, 5, 1}, p), ShapeError);
}

}  // namespace
}  // namespace strider
