#include "strider/nn/conv2d_transpose_layer.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "nn/layer_test_util.hpp"
#include "strider/core/error.hpp"
#include "strider/ops/conv2d_transpose.hpp"

namespace strider::nn {
namespace {

using testing::expect_error;
using testing::expect_identical;
using testing::random_tensor;

Conv2DTransposeConfig upsampler(std::int64_t stride, Padding2D padding) {
  Conv2DTransposeConfig c;
  c.filters = 16;
  c.kernel_size = {3, 3};
  c.strides = {stride, stride};
  c.padding = padding;
  c.seed = 5;
  return c;
}

TEST(Conv2DTransposeLayer, KerasDefaults) {
  const Conv2DTransposeConfig c;
  EXPECT_EQ(c.strides, (Pair2D{1, 1}));
  EXPECT_EQ(c.padding.kind, PaddingKind::kValid);
  EXPECT_FALSE(c.output_padding.has_value());
  EXPECT_EQ(c.dilation_rate, (Pair2D{1, 1}));
  EXPECT_EQ(c.activation, Activation::kLinear);
  EXPECT_TRUE(c.use_bias);
}

TEST(Conv2DTransposeLayer, ParameterCountAndFilterLayout) {
  // Keras 3: Conv2DTranspose(16, 3) built on 8 channels has a (3, 3, 16, 8) kernel, 1168 params.
  Conv2DTranspose layer(upsampler(1, Padding2D::valid()));
  EXPECT_EQ(layer.filter_shape(8), (Shape{3, 3, 16, 8}));
  EXPECT_EQ(layer.param_count(8), 1168);
  layer.build(8);
  EXPECT_EQ(layer.param_count(), 1168);
  EXPECT_EQ(layer.filter().shape(), (Shape{3, 3, 16, 8}));
  EXPECT_EQ(layer.bias()->shape(), (Shape{16}));
  Conv2DTransposeConfig no_bias = upsampler(1, Padding2D::valid());
  no_bias.use_bias = false;
  EXPECT_EQ(Conv2DTranspose(no_bias).param_count(8), 1152);
}

TEST(Conv2DTransposeLayer, OutputShapes) {
  // Keras 3 compute_output_shape on (1, 4, 4, 8).
  const Shape in{1, 4, 4, 8};
  EXPECT_EQ(Conv2DTranspose(upsampler(1, Padding2D::valid())).output_shape(in),
            (Shape{1, 6, 6, 16}));
  EXPECT_EQ(Conv2DTranspose(upsampler(2, Padding2D::same())).output_shape(in),
            (Shape{1, 8, 8, 16}));
  EXPECT_EQ(Conv2DTranspose(upsampler(2, Padding2D::valid())).output_shape(in),
            (Shape{1, 9, 9, 16}));
  Conv2DTransposeConfig padded = upsampler(2, Padding2D::valid());
  padded.output_padding = Pair2D{1, 1};
  EXPECT_EQ(Conv2DTranspose(padded).output_shape(in), (Shape{1, 10, 10, 16}));
  padded.padding = Padding2D::same();
  EXPECT_EQ(Conv2DTranspose(padded).output_shape(in), (Shape{1, 8, 8, 16}));
  // Stride 3 with dilation 2 (on the other axis): Keras refuses the mix, Strider computes it.
  Conv2DTransposeConfig wide = upsampler(1, Padding2D::valid());
  wide.strides = {1, 3};
  wide.dilation_rate = {2, 1};
  EXPECT_EQ(Conv2DTranspose(wide).output_shape({2, 4, 5, 3}), (Shape{2, 8, 15, 16}));
}

TEST(Conv2DTransposeLayer, CallEqualsTheOp) {
  Conv2DTransposeConfig c = upsampler(2, Padding2D::same());
  c.output_padding = Pair2D{1, 0};
  c.activation = Activation::kRelu;
  Conv2DTranspose layer(c);
  layer.build(3);
  layer.set_weights(layer.filter(), random_tensor({16}, 2));
  const Tensor x = random_tensor({2, 4, 5, 3}, 1);
  const Tensor y = layer(x);
  EXPECT_EQ(y.shape(), layer.output_shape(x.shape()));
  Conv2DTransposeOptions options;
  options.params.strides = {2, 2};
  options.params.padding = Padding2D::same();
  options.params.output_padding = Pair2D{1, 0};
  options.activation = Activation::kRelu;
  expect_identical(y, conv2d_transpose(x, layer.filter(), layer.bias(), options));
}

TEST(Conv2DTransposeLayer, GlorotUniformIsSeededAndBounded) {
  Conv2DTranspose a(upsampler(2, Padding2D::same())), b(upsampler(1, Padding2D::valid()));
  a(Tensor({1, 4, 4, 8}));  // builds lazily from the channels
  b.build(8);
  expect_identical(a.filter(), b.filter());
  testing::expect_glorot_bounded(a.filter(), std::sqrt(6.0 / (9.0 * 16 + 9.0 * 8)));
  for (float v : a.bias()->values()) EXPECT_EQ(v, 0.0f);
}

TEST(Conv2DTransposeLayer, RejectsBadConfigAndWeights) {
  Conv2DTransposeConfig c = upsampler(2, Padding2D::valid());
  c.filters = 0;
  expect_error<InvalidArgument>([&] { Conv2DTranspose{c}; },
                                "Conv2DTranspose: filters must be >= 1, got 0");
  c = upsampler(2, Padding2D::valid());
  c.kernel_size = {3, 0};
  expect_error<InvalidArgument>([&] { Conv2DTranspose{c}; },
                                "Conv2DTranspose: kernel_size[1] must be >= 1, got 0");
  c = upsampler(0, Padding2D::valid());
  EXPECT_THROW(Conv2DTranspose{c}, InvalidArgument);
  c = upsampler(2, Padding2D::valid());
  c.dilation_rate = {0, 1};
  EXPECT_THROW(Conv2DTranspose{c}, InvalidArgument);
  c = upsampler(2, Padding2D::valid());
  c.output_padding = Pair2D{2, 1};
  expect_error<InvalidArgument>(
      [&] { Conv2DTranspose{c}; },
      "Conv2DTranspose: output_padding[0] must be >= 0 and smaller than strides[0] (2), got 2");
  c.output_padding = Pair2D{0, -1};
  EXPECT_THROW(Conv2DTranspose{c}, InvalidArgument);
  c = upsampler(2, Padding2D::explicit_pads(0, -1, 0, 0));
  EXPECT_THROW(Conv2DTranspose{c}, InvalidArgument);

  Conv2DTranspose layer(upsampler(2, Padding2D::valid()));
  EXPECT_THROW(layer.filter(), InvalidArgument);
  EXPECT_THROW(layer.param_count(), InvalidArgument);
  expect_error<ShapeError>(
      [&] {
        layer.set_weights(Tensor({3, 3, 8, 16}), Tensor({16}));
      },
      "Conv2DTranspose: filter must have shape (3, 3, 16, 16), got (3, 3, 8, 16)");
  EXPECT_THROW(layer.set_weights(Tensor({3, 3, 16, 8}), std::nullopt), ShapeError);
  EXPECT_THROW(layer.set_weights(Tensor({3, 3, 16, 8}), Tensor({8})), ShapeError);
  EXPECT_THROW(layer.set_weights(Tensor({3, 3, 16}), Tensor({16})), ShapeError);
  EXPECT_THROW(layer(Tensor({4, 4, 8})), ShapeError);
  layer.set_weights(Tensor({3, 3, 16, 8}), Tensor({16}));  // builds for 8 channels
  EXPECT_EQ(layer.in_channels(), 8);
  EXPECT_THROW(layer.output_shape({1, 4, 4, 3}), ShapeError);
  EXPECT_THROW(layer.set_weights(Tensor({3, 3, 16, 3}), Tensor({16})), ShapeError);
}

}  // namespace
}  // namespace strider::nn
