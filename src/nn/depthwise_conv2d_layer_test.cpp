#include "strider/nn/depthwise_conv2d_layer.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "nn/layer_test_util.hpp"
#include "strider/core/error.hpp"
#include "strider/ops/depthwise_conv2d.hpp"

namespace strider::nn {
namespace {

using testing::expect_error;
using testing::expect_identical;
using testing::random_tensor;

DepthwiseConv2DConfig depthwise(std::int64_t multiplier) {
  DepthwiseConv2DConfig c;
  c.kernel_size = {3, 3};
  c.depth_multiplier = multiplier;
  c.seed = 11;
  return c;
}

TEST(DepthwiseConv2DLayer, KerasDefaults) {
  const DepthwiseConv2DConfig c;
  EXPECT_EQ(c.strides, (Pair2D{1, 1}));
  EXPECT_EQ(c.padding.kind, PaddingKind::kValid);
  EXPECT_EQ(c.depth_multiplier, 1);
  EXPECT_EQ(c.dilation_rate, (Pair2D{1, 1}));
  EXPECT_EQ(c.activation, Activation::kLinear);
  EXPECT_TRUE(c.use_bias);
}

TEST(DepthwiseConv2DLayer, ParameterCounts) {
  // Keras 3: DepthwiseConv2D(3, depth_multiplier=2) on 8 channels: 3*3*8*2 + 16 = 160;
  // MobileNet's DepthwiseConv2D(3) on 32 channels: 288 + 32 = 320.
  DepthwiseConv2D doubled(depthwise(2));
  EXPECT_EQ(doubled.filter_shape(8), (Shape{3, 3, 8, 2}));
  EXPECT_EQ(doubled.param_count(8), 160);
  doubled.build(8);
  EXPECT_EQ(doubled.bias()->shape(), (Shape{16}));
  EXPECT_EQ(doubled.param_count(), 160);
  EXPECT_EQ(DepthwiseConv2D(depthwise(1)).param_count(32), 320);
  DepthwiseConv2DConfig no_bias = depthwise(1);
  no_bias.use_bias = false;
  EXPECT_EQ(DepthwiseConv2D(no_bias).param_count(32), 288);
}

TEST(DepthwiseConv2DLayer, OutputShapes) {
  // Keras 3 compute_output_shape.
  EXPECT_EQ(DepthwiseConv2D(depthwise(2)).output_shape({1, 9, 9, 8}), (Shape{1, 7, 7, 16}));
  DepthwiseConv2DConfig unequal = depthwise(1);
  unequal.strides = {1, 2};
  unequal.padding = Padding2D::same();
  EXPECT_EQ(DepthwiseConv2D(unequal).output_shape({1, 9, 9, 32}), (Shape{1, 9, 5, 32}));
  DepthwiseConv2DConfig dilated = depthwise(3);
  dilated.dilation_rate = {2, 2};
  EXPECT_EQ(DepthwiseConv2D(dilated).output_shape({2, 9, 10, 4}), (Shape{2, 5, 6, 12}));
  DepthwiseConv2DConfig strided = depthwise(1);
  strided.strides = {2, 2};
  strided.padding = Padding2D::same();
  EXPECT_EQ(DepthwiseConv2D(strided).output_shape({1, 112, 112, 32}), (Shape{1, 56, 56, 32}));
}

TEST(DepthwiseConv2DLayer, CallEqualsTheOp) {
  // Unequal strides: TensorFlow's CPU kernel refuses them, Strider computes them.
  DepthwiseConv2DConfig c = depthwise(2);
  c.strides = {2, 1};
  c.padding = Padding2D::same();
  c.activation = Activation::kRelu;
  DepthwiseConv2D layer(c);
  layer.build(3);
  layer.set_weights(layer.filter(), random_tensor({6}, 2));
  const Tensor x = random_tensor({2, 7, 6, 3}, 1);
  const Tensor y = layer(x);
  EXPECT_EQ(y.shape(), layer.output_shape(x.shape()));
  DepthwiseConv2DOptions options;
  options.strides = {2, 1};
  options.padding = Padding2D::same();
  options.activation = Activation::kRelu;
  expect_identical(y, depthwise_conv2d(x, layer.filter(), layer.bias(), options));
}

TEST(DepthwiseConv2DLayer, GlorotUniformIsSeededAndBounded) {
  DepthwiseConv2D a(depthwise(2)), b(depthwise(2));
  a(Tensor({1, 5, 5, 8}));
  b.build(8);
  expect_identical(a.filter(), b.filter());
  testing::expect_glorot_bounded(a.filter(), std::sqrt(6.0 / (9.0 * 8 + 9.0 * 2)));
  for (float v : a.bias()->values()) EXPECT_EQ(v, 0.0f);
}

TEST(DepthwiseConv2DLayer, RejectsBadConfigAndWeights) {
  expect_error<InvalidArgument>([] { DepthwiseConv2D{depthwise(0)}; },
                                "DepthwiseConv2D: depth_multiplier must be >= 1, got 0");
  DepthwiseConv2DConfig c = depthwise(1);
  c.kernel_size = {0, 3};
  expect_error<InvalidArgument>([&] { DepthwiseConv2D{c}; },
                                "DepthwiseConv2D: kernel_size[0] must be >= 1, got 0");
  c = depthwise(1);
  c.strides = {1, -2};
  EXPECT_THROW(DepthwiseConv2D{c}, InvalidArgument);
  c = depthwise(1);
  c.dilation_rate = {1, 0};
  EXPECT_THROW(DepthwiseConv2D{c}, InvalidArgument);

  DepthwiseConv2D layer(depthwise(2));
  EXPECT_THROW(layer.filter(), InvalidArgument);
  expect_error<ShapeError>(
      [&] {
        layer.set_weights(Tensor({3, 3, 8, 1}), Tensor({16}));
      },
      "DepthwiseConv2D: filter must have shape (3, 3, 8, 2), got (3, 3, 8, 1)");
  expect_error<ShapeError>(
      [&] {
        layer.set_weights(Tensor({3, 3, 8, 2}), Tensor({2}));
      },
      "DepthwiseConv2D: bias must have shape (16,), got (2,)");
  EXPECT_THROW(layer(Tensor({1, 5, 5})), ShapeError);
  EXPECT_THROW(layer.output_shape({1, 2, 2, 8}), ShapeError);  // VALID window larger than input
  layer.build(8);
  EXPECT_THROW(layer(Tensor({1, 5, 5, 4})), ShapeError);
}

}  // namespace
}  // namespace strider::nn
