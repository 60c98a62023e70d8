#include "strider/nn/separable_conv2d_layer.hpp"

#include <gtest/gtest.h>

#include "nn/layer_test_util.hpp"
#include "strider/core/error.hpp"
#include "strider/nn/initializers.hpp"
#include "strider/ops/depthwise_conv2d.hpp"

namespace strider::nn {
namespace {

using testing::expect_error;
using testing::expect_identical;
using testing::random_tensor;

SeparableConv2DConfig separable(std::int64_t multiplier) {
  SeparableConv2DConfig c;
  c.filters = 16;
  c.kernel_size = {3, 3};
  c.depth_multiplier = multiplier;
  c.seed = 21;
  return c;
}

TEST(SeparableConv2DLayer, KerasDefaults) {
  const SeparableConv2DConfig c;
  EXPECT_EQ(c.strides, (Pair2D{1, 1}));
  EXPECT_EQ(c.padding.kind, PaddingKind::kValid);
  EXPECT_EQ(c.depth_multiplier, 1);
  EXPECT_EQ(c.dilation_rate, (Pair2D{1, 1}));
  EXPECT_EQ(c.activation, Activation::kLinear);
  EXPECT_TRUE(c.use_bias);
}

TEST(SeparableConv2DLayer, ParameterCounts) {
  // Keras 3: SeparableConv2D(16, 3) on 8 channels: 72 + 128 + 16 = 216; with
  // depth_multiplier=2: 144 + 256 + 16 = 416.
  SeparableConv2D layer(separable(1));
  EXPECT_EQ(layer.depthwise_filter_shape(8), (Shape{3, 3, 8, 1}));
  EXPECT_EQ(layer.pointwise_filter_shape(8), (Shape{1, 1, 8, 16}));
  EXPECT_EQ(layer.param_count(8), 216);
  EXPECT_EQ(SeparableConv2D(separable(2)).param_count(8), 416);
  SeparableConv2DConfig no_bias = separable(1);
  no_bias.use_bias = false;
  EXPECT_EQ(SeparableConv2D(no_bias).param_count(8), 200);
  EXPECT_THROW(layer.param_count(), InvalidArgument);
  layer.build(8);
  EXPECT_EQ(layer.param_count(), 216);
}

TEST(SeparableConv2DLayer, OutputShapes) {
  // Keras 3 compute_output_shape on (1, 9, 9, 8).
  EXPECT_EQ(SeparableConv2D(separable(1)).output_shape({1, 9, 9, 8}), (Shape{1, 7, 7, 16}));
  SeparableConv2DConfig strided = separable(2);
  strided.strides = {2, 2};
  strided.padding = Padding2D::same();
  EXPECT_EQ(SeparableConv2D(strided).output_shape({1, 9, 9, 8}), (Shape{1, 5, 5, 16}));
  SeparableConv2DConfig dilated = separable(1);
  dilated.dilation_rate = {1, 3};
  EXPECT_EQ(SeparableConv2D(dilated).output_shape({3, 9, 9, 2}), (Shape{3, 7, 3, 16}));
}

TEST(SeparableConv2DLayer, SeedsBothFiltersDeterministically) {
  SeparableConv2D a(separable(2)), b(separable(2));
  a(Tensor({1, 5, 5, 4}));
  b.build(4);
  expect_identical(a.depthwise_filter(), b.depthwise_filter());
  expect_identical(a.pointwise_filter(), b.pointwise_filter());
  // Depthwise from `seed`, pointwise from `seed + 1`, each glorot_uniform over its own shape.
  expect_identical(a.depthwise_filter(), glorot_uniform({3, 3, 4, 2}, 21));
  expect_identical(a.pointwise_filter(), glorot_uniform({1, 1, 8, 16}, 22));
  for (float v : a.bias()->values()) EXPECT_EQ(v, 0.0f);
}

TEST(SeparableConv2DLayer, CallEqualsTheOp) {
  SeparableConv2DConfig c = separable(2);
  c.strides = {2, 2};
  c.padding = Padding2D::same();
  c.activation = Activation::kRelu;
  SeparableConv2D layer(c);
  layer.build(3);
  layer.set_weights(layer.depthwise_filter(), layer.pointwise_filter(), random_tensor({16}, 2));
  const Tensor x = random_tensor({2, 7, 6, 3}, 1);
  const Tensor y = layer(x);
  EXPECT_EQ(y.shape(), layer.output_shape(x.shape()));
  DepthwiseConv2DOptions options;
  options.strides = {2, 2};
  options.padding = Padding2D::same();
  options.activation = Activation::kRelu;
  expect_identical(y, separable_conv2d(x, layer.depthwise_filter(), layer.pointwise_filter(),
                                       layer.bias(), options));
}

TEST(SeparableConv2DLayer, RejectsBadConfigAndWeights) {
  SeparableConv2DConfig c = separable(1);
  c.filters = 0;
  expect_error<InvalidArgument>([&] { SeparableConv2D{c}; },
                                "SeparableConv2D: filters must be >= 1, got 0");
  expect_error<InvalidArgument>([] { SeparableConv2D{separable(0)}; },
                                "SeparableConv2D: depth_multiplier must be >= 1, got 0");
  c = separable(1);
  c.strides = {0, 1};
  EXPECT_THROW(SeparableConv2D{c}, InvalidArgument);
  c = separable(1);
  c.padding = Padding2D::explicit_pads(-1, 0, 0, 0);
  EXPECT_THROW(SeparableConv2D{c}, InvalidArgument);

  SeparableConv2D layer(separable(2));
  EXPECT_THROW(layer.depthwise_filter(), InvalidArgument);
  EXPECT_THROW(layer.pointwise_filter(), InvalidArgument);
  expect_error<ShapeError>(
      [&] {
        layer.set_weights(Tensor({3, 3, 4, 2}), Tensor({1, 1, 4, 16}), Tensor({16}));
      },
      "SeparableConv2D: pointwise filter must have shape (1, 1, 8, 16), got (1, 1, 4, 16)");
  EXPECT_THROW(layer.set_weights(Tensor({3, 3, 4, 1}), Tensor({1, 1, 8, 16}), Tensor({16})),
               ShapeError);
  EXPECT_THROW(layer.set_weights(Tensor({3, 3, 4, 2}), Tensor({1, 1, 8, 16}), std::nullopt),
               ShapeError);
  EXPECT_THROW(layer.set_weights(Tensor({3, 4, 2}), Tensor({1, 1, 8, 16}), Tensor({16})),
               ShapeError);
  EXPECT_THROW(layer(Tensor({5, 5, 4})), ShapeError);
  layer.set_weights(Tensor({3, 3, 4, 2}), Tensor({1, 1, 8, 16}), Tensor({16}));
  EXPECT_EQ(layer.in_channels(), 4);
  EXPECT_THROW(layer.output_shape({1, 5, 5, 3}), ShapeError);
}

}  // namespace
}  // namespace strider::nn
