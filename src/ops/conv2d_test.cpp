#include "strider/ops/conv2d.hpp"

#include <gtest/gtest.h>

#include <numeric>

#include "strider/core/error.hpp"

namespace strider {
namespace {

Tensor iota(Shape shape, float start = 1.0f) {
  Tensor t(std::move(shape));
  std::iota(t.values().begin(), t.values().end(), start);
  return t;
}

Tensor filled(Shape shape, float value) {
  Tensor t(std::move(shape));
  for (float& v : t.values()) v = value;
  return t;
}

TEST(Conv2D, SumsWindowsByHand) {
  // 1..16 in a 4x4 image, a 2x2 filter of ones: each output is the sum of its window.
  const Tensor x = iota({1, 4, 4, 1});
  const Tensor w = filled({2, 2, 1, 1}, 1.0f);
  Conv2DOptions o;
  o.params.strides = {2, 2};
  const Tensor y = conv2d(x, w, nullptr, o);
  ASSERT_EQ(y.shape(), (Shape{1, 2, 2, 1}));
  EXPECT_EQ(y.at(0, 0, 0, 0), 1 + 2 + 5 + 6);
  EXPECT_EQ(y.at(0, 0, 1, 0), 3 + 4 + 7 + 8);
  EXPECT_EQ(y.at(0, 1, 1, 0), 11 + 12 + 15 + 16);
  // SAME with stride 3 on 4 pixels: out 2, pad 1 after; the second window hangs into padding.
  o.params.strides = {3, 3};
  o.params.padding = Padding2D::same();
  const Tensor s = conv2d(x, w, nullptr, o);
  ASSERT_EQ(s.shape(), (Shape{1, 2, 2, 1}));
  EXPECT_EQ(s.at(0, 0, 0, 0), 1 + 2 + 5 + 6);
  EXPECT_EQ(s.at(0, 1, 1, 0), 16);
}

TEST(Conv2D, DilationWithStrideSamplesTheDilatedConvolution) {
  const Tensor x = iota({1, 7, 7, 1});
  const Tensor w = filled({2, 2, 1, 1}, 1.0f);
  Conv2DOptions o;
  o.params.dilation = {2, 2};
  const Tensor dense = conv2d(x, w, nullptr, o);
  o.params.strides = {2, 2};
  const Tensor strided = conv2d(x, w, nullptr, o);
  ASSERT_EQ(strided.shape(), (Shape{1, 3, 3, 1}));
  for (std::int64_t i = 0; i < 3; ++i) {
    for (std::int64_t j = 0; j < 3; ++j) {
      EXPECT_EQ(strided.at(0, i, j, 0), dense.at(0, 2 * i, 2 * j, 0));
    }
  }
  EXPECT_EQ(strided.at(0, 0, 0, 0), 1 + 3 + 15 + 17);
}

TEST(Conv2D, GroupsKeepChannelsApart) {
  // Two groups: output 0 sees only channel 0, output 1 only channel 1.
  Tensor x({1, 1, 1, 2});
  x.at(0, 0, 0, 0) = 3.0f;
  x.at(0, 0, 0, 1) = 5.0f;
  const Tensor w = filled({1, 1, 1, 2}, 2.0f);
  Conv2DOptions o;
  o.params.groups = 2;
  const Tensor y = conv2d(x, w, nullptr, o);
  EXPECT_EQ(y.at(0, 0, 0, 0), 6.0f);
  EXPECT_EQ(y.at(0, 0, 0, 1), 10.0f);
}

TEST(Conv2D, BiasAndRelu) {
  const Tensor x = filled({1, 2, 2, 1}, 1.0f);
  const Tensor w = filled({1, 1, 1, 2}, -1.0f);
  const float bias_values[] = {0.5f, 2.0f};
  const Tensor b(Shape{2}, bias_values);
  Conv2DOptions o;
  o.activation = Activation::kRelu;
  const Tensor y = conv2d(x, w, &b, o);
  EXPECT_EQ(y.at(0, 1, 1, 0), 0.0f);
  EXPECT_EQ(y.at(0, 1, 1, 1), 1.0f);
  const Tensor wrong(Shape{3});
  EXPECT_THROW(conv2d(x, w, &wrong, o), ShapeError);
  const Tensor wrong_rank(Shape{2, 1});
  EXPECT_THROW(conv2d(x, w, &wrong_rank, o), ShapeError);
}

TEST(Conv2D, EmptyBatchAndZeroExtentLikeTensorFlow) {
  const Tensor w = filled({3, 3, 2, 4}, 1.0f);
  EXPECT_EQ(conv2d(Tensor({0, 5, 5, 2}), w, nullptr).shape(), (Shape{0, 3, 3, 4}));
  // A zero-height input with explicit padding: the padded result, i.e. only the bias.
  const Tensor w1 = filled({1, 1, 2, 4}, 1.0f);
  const float bias_values[] = {1, 2, 3, 4};
  const Tensor b(Shape{4}, bias_values);
  Conv2DOptions o;
  o.params.padding = Padding2D::explicit_pads(1, 0, 0, 0);
  const Tensor y = conv2d(Tensor({1, 0, 3, 2}), w1, &b, o);
  ASSERT_EQ(y.shape(), (Shape{1, 1, 3, 4}));
  EXPECT_EQ(y.at(0, 0, 2, 3), 4.0f);
}

TEST(Conv2D, UnknownKernelIsAnError) {
  Conv2DOptions o;
  o.kernel = "no-such-kernel";
  EXPECT_THROW(conv2d(Tensor({1, 3, 3, 1}), Tensor({1, 1, 1, 1}), nullptr, o), InvalidArgument);
}

}  // namespace
}  // namespace strider
