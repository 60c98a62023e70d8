#include "strider/nn/conv1d_layer.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "nn/layer_test_util.hpp"
#include "strider/core/error.hpp"
#include "strider/ops/conv1d.hpp"

namespace strider::nn {
namespace {

using testing::expect_error;
using testing::expect_identical;
using testing::random_tensor;

Conv1DConfig sequence(PaddingKind padding, std::int64_t stride = 1) {
  Conv1DConfig c;
  c.filters = 4;
  c.kernel_size = 3;
  c.strides = stride;
  c.padding.kind = padding;
  c.seed = 31;
  return c;
}

TEST(Conv1DLayer, KerasDefaults) {
  const Conv1DConfig c;
  EXPECT_EQ(c.strides, 1);
  EXPECT_EQ(c.padding.kind, PaddingKind::kValid);
  EXPECT_EQ(c.dilation_rate, 1);
  EXPECT_EQ(c.groups, 1);
  EXPECT_EQ(c.activation, Activation::kLinear);
  EXPECT_TRUE(c.use_bias);
}

TEST(Conv1DLayer, ParameterCounts) {
  // Keras 3: Conv1D(4, 3) on 5 channels: 3*5*4 + 4 = 64; Conv1D(6, 3, groups=3) on 6: 42.
  Conv1D layer(sequence(PaddingKind::kValid));
  EXPECT_EQ(layer.filter_shape(5), (Shape{3, 5, 4}));
  EXPECT_EQ(layer.param_count(5), 64);
  layer.build(5);
  EXPECT_EQ(layer.param_count(), 64);
  Conv1DConfig grouped = sequence(PaddingKind::kValid);
  grouped.filters = 6;
  grouped.groups = 3;
  EXPECT_EQ(Conv1D(grouped).filter_shape(6), (Shape{3, 2, 6}));
  EXPECT_EQ(Conv1D(grouped).param_count(6), 42);
  Conv1DConfig no_bias = sequence(PaddingKind::kValid);
  no_bias.use_bias = false;
  EXPECT_EQ(Conv1D(no_bias).param_count(5), 60);
}

TEST(Conv1DLayer, OutputShapes) {
  // Keras 3 compute_output_shape on (1, 10, 5).
  const Shape in{1, 10, 5};
  EXPECT_EQ(Conv1D(sequence(PaddingKind::kValid)).output_shape(in), (Shape{1, 8, 4}));
  EXPECT_EQ(Conv1D(sequence(PaddingKind::kSame)).output_shape(in), (Shape{1, 10, 4}));
  EXPECT_EQ(Conv1D(sequence(PaddingKind::kCausal)).output_shape(in), (Shape{1, 10, 4}));
  EXPECT_EQ(Conv1D(sequence(PaddingKind::kCausal, 2)).output_shape(in), (Shape{1, 5, 4}));
  Conv1DConfig dilated = sequence(PaddingKind::kCausal);
  dilated.dilation_rate = 4;
  EXPECT_EQ(Conv1D(dilated).output_shape({2, 7, 5}), (Shape{2, 7, 4}));
  Conv1DConfig grouped = sequence(PaddingKind::kSame, 2);
  grouped.filters = 6;
  grouped.groups = 3;
  EXPECT_EQ(Conv1D(grouped).output_shape({1, 10, 6}), (Shape{1, 5, 6}));
}

TEST(Conv1DLayer, CallEqualsTheOp) {
  Conv1DConfig c = sequence(PaddingKind::kCausal, 2);
  c.filters = 6;
  c.groups = 2;
  c.dilation_rate = 2;  // with stride 2: Keras refuses the mix, Strider computes it
  c.activation = Activation::kRelu;
  Conv1D layer(c);
  layer.build(4);
  layer.set_weights(layer.filter(), random_tensor({6}, 2));
  const Tensor x = random_tensor({2, 9, 4}, 1);
  const Tensor y = layer(x);
  EXPECT_EQ(y.shape(), layer.output_shape(x.shape()));
  Conv1DOptions options;
  options.stride = 2;
  options.dilation = 2;
  options.padding.kind = PaddingKind::kCausal;
  options.groups = 2;
  options.activation = Activation::kRelu;
  expect_identical(y, conv1d(x, layer.filter(), layer.bias(), options));
}

TEST(Conv1DLayer, GlorotUniformIsSeededAndBounded) {
  Conv1D a(sequence(PaddingKind::kValid)), b(sequence(PaddingKind::kCausal));
  a(Tensor({1, 6, 5}));
  b.build(5);
  expect_identical(a.filter(), b.filter());
  testing::expect_glorot_bounded(a.filter(), std::sqrt(6.0 / (3.0 * 5 + 3.0 * 4)));
  for (float v : a.bias()->values()) EXPECT_EQ(v, 0.0f);
}

TEST(Conv1DLayer, RejectsBadConfigAndWeights) {
  Conv1DConfig c = sequence(PaddingKind::kValid);
  c.groups = 0;
  expect_error<InvalidArgument>([&] { Conv1D{c}; }, "Conv1D: groups must be >= 1, got 0");
  c.groups = 3;
  expect_error<InvalidArgument>([&] { Conv1D{c}; }, "Conv1D: groups (3) must divide filters (4)");
  c = sequence(PaddingKind::kValid, 0);
  expect_error<InvalidArgument>([&] { Conv1D{c}; }, "Conv1D: strides must be >= 1, got 0");
  c = sequence(PaddingKind::kValid);
  c.kernel_size = 0;
  EXPECT_THROW(Conv1D{c}, InvalidArgument);
  c = sequence(PaddingKind::kValid);
  c.dilation_rate = -1;
  EXPECT_THROW(Conv1D{c}, InvalidArgument);
  c = sequence(PaddingKind::kExplicit);
  c.padding.before = -1;
  expect_error<InvalidArgument>([&] { Conv1D{c}; },
                                "Conv1D: explicit length padding must be >= 0, got (-1, 0)");

  Conv1DConfig grouped = sequence(PaddingKind::kValid);
  grouped.groups = 2;
  Conv1D layer(grouped);
  expect_error<ShapeError>(
      [&] {
        layer.output_shape({1, 10, 5});
      },
      "Conv1D: groups (2) must divide the input channels (5)");
  EXPECT_THROW(layer.output_shape({1, 2, 6}), ShapeError);  // VALID window larger than input
  EXPECT_THROW(layer(Tensor({10, 6})), ShapeError);
  EXPECT_THROW(layer.filter(), InvalidArgument);
  EXPECT_THROW(layer.set_weights(Tensor({3, 3, 2}), Tensor({4})), ShapeError);
  EXPECT_THROW(layer.set_weights(Tensor({3, 3, 4}), Tensor({3})), ShapeError);
  EXPECT_THROW(layer.set_weights(Tensor({3, 3, 4, 1}), Tensor({4})), ShapeError);
  layer.set_weights(Tensor({3, 3, 4}), Tensor({4}));  // 3 * groups = 6 input channels
  EXPECT_EQ(layer.in_channels(), 6);
  EXPECT_EQ(layer.param_count(), 40);
}

}  // namespace
}  // namespace strider::nn
