#include "strider/nn/conv2d_layer.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "strider/core/error.hpp"

namespace strider::nn {
namespace {

Conv2DConfig tutorial(std::int64_t stride) {
  Conv2DConfig c;
  c.filters = 32;
  c.kernel_size = {3, 3};
  c.strides = {stride, stride};
  c.activation = Activation::kRelu;
  c.seed = 42;
  return c;
}

TEST(Conv2DLayer, KerasDefaults) {
  const Conv2DConfig c;
  EXPECT_EQ(c.strides, (Pair2D{1, 1}));
  EXPECT_EQ(c.dilation_rate, (Pair2D{1, 1}));
  EXPECT_EQ(c.padding.kind, PaddingKind::kValid);
  EXPECT_EQ(c.groups, 1);
  EXPECT_TRUE(c.use_bias);
  EXPECT_EQ(c.activation, Activation::kLinear);
}

TEST(Conv2DLayer, TutorialShapesAndParameters) {
  for (std::int64_t s : {1, 2}) {
    Conv2D layer(tutorial(s));
    const Tensor y = layer(Tensor({1, 10, 10, 3}));
    EXPECT_EQ(y.shape(), s == 1 ? (Shape{1, 8, 8, 32}) : (Shape{1, 4, 4, 32}));
    EXPECT_EQ(layer.output_shape({1, 10, 10, 3}), y.shape());
    EXPECT_EQ(layer.param_count(), 896);
  }
  Conv2DConfig no_bias = tutorial(1);
  no_bias.use_bias = false;
  EXPECT_EQ(Conv2D(no_bias).param_count(3), 864);
  Conv2DConfig grouped = tutorial(1);
  grouped.groups = 4;
  EXPECT_EQ(Conv2D(grouped).param_count(8), 3 * 3 * 2 * 32 + 32);
}

TEST(Conv2DLayer, GlorotUniformIsSeededAndBounded) {
  Conv2D a(tutorial(1)), b(tutorial(2));
  a.build(3);
  b.build(3);
  const double limit = std::sqrt(6.0 / (27.0 + 288.0));
  double largest = 0.0;
  for (std::int64_t i = 0; i < a.filter().size(); ++i) {
    EXPECT_EQ(a.filter().data()[i], b.filter().data()[i]);  // same seed, same weights
    largest = std::max(largest, static_cast<double>(std::fabs(a.filter().data()[i])));
  }
  EXPECT_LE(largest, limit);
  EXPECT_GT(largest, 0.9 * limit);
  for (float v : a.bias()->values()) EXPECT_EQ(v, 0.0f);
  Conv2DConfig other = tutorial(1);
  other.seed = 7;
  Conv2D c(other);
  c.build(3);
  EXPECT_NE(c.filter().data()[0], a.filter().data()[0]);
}

TEST(Conv2DLayer, RejectsBadConfigAndWeights) {
  Conv2DConfig c = tutorial(1);
  c.filters = 0;
  EXPECT_THROW(Conv2D{c}, InvalidArgument);
  c = tutorial(0);
  EXPECT_THROW(Conv2D{c}, InvalidArgument);
  c = tutorial(1);
  c.groups = 5;
  EXPECT_THROW(Conv2D{c}, InvalidArgument);
  Conv2D layer(tutorial(1));
  EXPECT_THROW(layer.filter(), InvalidArgument);
  EXPECT_THROW(layer.set_weights(Tensor({3, 3, 3, 16}), Tensor({32})), ShapeError);
  EXPECT_THROW(layer.set_weights(Tensor({3, 3, 3, 32}), std::nullopt), ShapeError);
  EXPECT_THROW(layer(Tensor({10, 10, 3})), ShapeError);
}

TEST(Conv2DLayer, WeightsKeepTheBuiltChannelCount) {
  Conv2D layer(tutorial(1));
  EXPECT_THROW(layer.param_count(), InvalidArgument);
  layer.set_weights(Tensor({3, 3, 3, 32}), Tensor({32}));  // an unbuilt layer takes C = 3
  EXPECT_TRUE(layer.built());
  EXPECT_EQ(layer.in_channels(), 3);
  EXPECT_EQ(layer.param_count(), 896);
  EXPECT_THROW(layer.set_weights(Tensor({3, 3, 4, 32}), Tensor({32})), ShapeError);
  EXPECT_THROW(layer.output_shape({1, 10, 10, 4}), ShapeError);
  EXPECT_EQ(layer.output_shape({2, 10, 12, 3}), (Shape{2, 8, 10, 32}));
  EXPECT_THROW(Conv2D(tutorial(1)).filter_shape(0), ShapeError);
}

}  // namespace
}  // namespace strider::nn

namespace strider::nn {
namespace {

// The layer packs its filter once per set of weights; new weights must not run the old pack.
TEST(Conv2DLayer, NewWeightsReplaceThePackedFilter) {
  Conv2DConfig c;
  c.filters = 3;
  c.kernel_size = {1, 1};
  Conv2D layer(c);
  Tensor x({1, 2, 2, 1});
  for (float& v : x.values()) v = 1.0f;
  layer(x);
  Tensor w({1, 1, 1, 3});
  for (float& v : w.values()) v = 2.0f;
  layer.set_weights(w, Tensor({3}));
  EXPECT_EQ(layer(x).at(0, 1, 1, 2), 2.0f);
  for (float& v : w.values()) v = 5.0f;
  layer.set_weights(w, Tensor({3}));
  EXPECT_EQ(layer(x).at(0, 1, 1, 2), 5.0f);
}

}  // namespace
}  // namespace strider::nn
