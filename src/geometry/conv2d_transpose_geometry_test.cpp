#include "strider/geometry/conv2d_transpose_geometry.hpp"

#include <gtest/gtest.h>

#include <string>

#include "strider/core/error.hpp"

namespace strider {
namespace {

Conv2DTransposeGeometry make(Shape in, Shape filter, Conv2DTransposeParams p) {
  return Conv2DTransposeGeometry::make(in, filter, p);
}

TEST(Conv2DTransposeGeometry, KerasOutputSizes) {
  Conv2DTransposeParams p;
  p.strides = {2, 2};
  p.padding = Padding2D::same();
  // Keras: SAME -> in * stride; VALID -> in * stride + max(k - stride, 0).
  EXPECT_EQ(make({1, 4, 4, 8}, {3, 3, 16, 8}, p).output_shape(), (Shape{1, 8, 8, 16}));
  p.padding = Padding2D::valid();
  EXPECT_EQ(make({1, 4, 4, 8}, {3, 3, 16, 8}, p).output_shape(), (Shape{1, 9, 9, 16}));
  p.output_padding = Pair2D{1, 0};
  EXPECT_EQ(make({1, 4, 4, 8}, {3, 3, 16, 8}, p).output_shape(), (Shape{1, 10, 9, 16}));
  p.padding = Padding2D::same();
  // SAME with output_padding: (in - 1) * s + k - 2 * (k / 2) + p = 6 + 1 + p.
  EXPECT_EQ(make({1, 4, 4, 8}, {3, 3, 16, 8}, p).output_shape(), (Shape{1, 8, 7, 16}));
  const Conv2DTransposeGeometry g = make({2, 4, 4, 8}, {3, 3, 16, 8}, p);
  EXPECT_EQ(g.params(true), 3 * 3 * 16 * 8 + 16);
  EXPECT_EQ(g.macs(), 2 * 4 * 4 * 8 * 3 * 3 * 16);
  EXPECT_EQ(g.height.output_size(), 4);  // the forward window over the output gives the input
}

TEST(Conv2DTransposeGeometry, ExplicitOutputShape) {
  Conv2DTransposeParams p;
  p.strides = {2, 3};
  p.padding = Padding2D::same();
  p.output_size = Pair2D{5, 7};  // ceil(5/2) = 3 and ceil(7/3) = 3
  EXPECT_EQ(make({1, 3, 3, 2}, {2, 2, 4, 2}, p).output_shape(), (Shape{1, 5, 7, 4}));
  p.output_size = Pair2D{7, 7};
  try {
    make({1, 3, 3, 2}, {2, 2, 4, 2}, p);
    ADD_FAILURE();
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("consistent output sizes: 5..6"), std::string::npos)
        << e.what();
  }
}

TEST(Conv2DTransposeGeometry, RejectsBadInput) {
  Conv2DTransposeParams p;
  p.strides = {2, 2};
  p.output_padding = Pair2D{2, 0};  // must be < stride
  EXPECT_THROW(make({1, 4, 4, 8}, {3, 3, 16, 8}, p), InvalidArgument);
  p.output_padding = Pair2D{-1, 0};
  EXPECT_THROW(make({1, 4, 4, 8}, {3, 3, 16, 8}, p), InvalidArgument);
  p.output_padding.reset();
  EXPECT_THROW(make({1, 4, 4, 8}, {3, 3, 16, 4}, p), ShapeError);  // channels
  EXPECT_THROW(make({1, 4, 4, 8}, {3, 3, 0, 8}, p), ShapeError);
  EXPECT_THROW(make({1, 4, 4}, {3, 3, 16, 8}, p), ShapeError);
  p.strides = {0, 1};
  EXPECT_THROW(make({1, 4, 4, 8}, {3, 3, 16, 8}, p), InvalidArgument);
  // Even kernel, SAME, output_padding 0: Keras's formula gives 6, which maps back to 3, not 4.
  p.strides = {2, 2};
  p.padding = Padding2D::same();
  p.output_padding = Pair2D{0, 0};
  EXPECT_THROW(make({1, 4, 4, 8}, {2, 2, 16, 8}, p), ShapeError);
}

}  // namespace
}  // namespace strider
