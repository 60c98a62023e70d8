#include "strider/ops/depthwise_conv2d.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "strider/core/error.hpp"
#include "strider/core/random.hpp"
#include "strider/ops/conv1d.hpp"
#include "strider/ops/conv2d.hpp"

namespace strider {
namespace {

Tensor random(Shape shape, std::uint64_t seed) {
  Tensor t(std::move(shape));
  Rng(seed).fill_uniform(t.values(), -1, 1);
  return t;
}

// Channel c with multiplier m equals a single-channel conv2d of channel c with filter[.., c, m].
TEST(DepthwiseConv2D, EqualsPerChannelConvolutionWithUnequalStrides) {
  const std::int64_t C = 3, M = 2;
  const Tensor x = random({2, 9, 11, C}, 1);
  const Tensor w = random({3, 2, C, M}, 2);
  DepthwiseConv2DOptions o;
  o.strides = {2, 3};
  o.dilation = {1, 2};
  o.padding = Padding2D::same();
  const Tensor y = depthwise_conv2d(x, w, nullptr, o);
  for (std::int64_t c = 0; c < C; ++c) {
    Tensor xc({2, 9, 11, 1});
    for (std::int64_t i = 0; i < xc.size(); ++i) xc.data()[i] = x.data()[i * C + c];
    for (std::int64_t m = 0; m < M; ++m) {
      Tensor wc({3, 2, 1, 1});
      for (std::int64_t i = 0; i < wc.size(); ++i) wc.data()[i] = w.data()[(i * C + c) * M + m];
      Conv2DOptions co;
      co.params = {o.strides, o.dilation, o.padding, 1};
      const Tensor yc = conv2d(xc, wc, nullptr, co);
      ASSERT_EQ(yc.size() * C * M, y.size());
      for (std::int64_t i = 0; i < yc.size(); ++i) {
        EXPECT_FLOAT_EQ(yc.data()[i], y.data()[i * C * M + c * M + m]);
      }
    }
  }
}

TEST(DepthwiseConv2D, SeparableIsDepthwiseThenPointwise) {
  const Tensor x = random({1, 6, 6, 2}, 3);
  const Tensor dw = random({3, 3, 2, 2}, 4);
  const Tensor pw = random({1, 1, 4, 5}, 5);
  const Tensor b = random({5}, 6);
  DepthwiseConv2DOptions o;
  o.strides = {2, 2};
  o.activation = Activation::kRelu;
  const Tensor y = separable_conv2d(x, dw, pw, &b, o);
  o.activation = Activation::kLinear;
  Conv2DOptions c;
  c.activation = Activation::kRelu;
  const Tensor want = conv2d(depthwise_conv2d(x, dw, nullptr, o), pw, &b, c);
  ASSERT_EQ(y.shape(), (Shape{1, 2, 2, 5}));
  for (std::int64_t i = 0; i < y.size(); ++i) EXPECT_EQ(y.data()[i], want.data()[i]);
}

TEST(DepthwiseConv2D, RejectsBadInput) {
  const Tensor x({1, 5, 5, 3});
  EXPECT_THROW(depthwise_conv2d(x, Tensor({3, 3, 2, 1}), nullptr), ShapeError);
  EXPECT_THROW(depthwise_conv2d(x, Tensor({3, 3, 3, 0}), nullptr), InvalidArgument);
  const Tensor bias({5});
  EXPECT_THROW(depthwise_conv2d(x, Tensor({3, 3, 3, 2}), &bias), ShapeError);
  DepthwiseConv2DOptions o;
  o.strides = {0, 1};
  EXPECT_THROW(depthwise_conv2d(x, Tensor({3, 3, 3, 1}), nullptr, o), InvalidArgument);
}

// Written into an output: the numbers of the returning call, every kernel (the output is
// overwritten, not added to), and no allocation to check but the refusals.
TEST(DepthwiseConv2D, WritesIntoAnOutputTheSameNumbers) {
  const Tensor x = random({2, 9, 10, 19}, 8);
  const Tensor w = random({3, 3, 19, 2}, 9);
  const Tensor b = random({38}, 10);
  DepthwiseConv2DOptions o;
  o.strides = {2, 1};
  o.padding = Padding2D::same();
  o.activation = Activation::kRelu;
  const Tensor want = depthwise_conv2d(x, w, &b, o);
  for (const std::string_view kernel : {"", "reference"}) {
    o.kernel = kernel;
    Tensor into = random(want.shape(), 11);  // stale values must not leak through
    depthwise_conv2d(x, w, &b, into, o);
    for (std::int64_t i = 0; i < want.size(); ++i) {
      ASSERT_NEAR(into.data()[i], want.data()[i], 1e-5f) << kernel << " " << i;
    }
  }
  o.kernel = "";
  Tensor again(want.shape());
  depthwise_conv2d(x, w, &b, again, o);
  for (std::int64_t i = 0; i < want.size(); ++i) ASSERT_EQ(again.data()[i], want.data()[i]) << i;
}

TEST(DepthwiseConv2D, RefusesAnOutputOfTheWrongShapeOrTheInputItself) {
  Tensor x({1, 5, 5, 3});
  const Tensor w({3, 3, 3, 1});
  DepthwiseConv2DOptions same;
  same.padding = Padding2D::same();
  Tensor wrong({1, 3, 3, 3});  // the VALID shape, asked for SAME
  try {
    depthwise_conv2d(x, w, nullptr, wrong, same);
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("output must have shape (1, 5, 5, 3)"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(depthwise_conv2d(x, w, nullptr, x, same), InvalidArgument);
  EXPECT_THROW(depthwise_conv2d(x, Tensor({3, 3, 2, 1}), nullptr, wrong), ShapeError);
}

TEST(Conv1D, CausalSeesOnlyThePast) {
  const Tensor x = random({1, 10, 2}, 7);
  const Tensor w = random({3, 2, 4}, 8);
  Conv1DOptions o;
  o.padding = {PaddingKind::kCausal};
  o.dilation = 2;
  const Tensor y = conv1d(x, w, nullptr, o);
  ASSERT_EQ(y.shape(), (Shape{1, 10, 4}));
  // Changing input step 6 changes no output before step 6.
  Tensor x2 = x;
  x2.data()[6 * 2] += 1.0f;
  const Tensor y2 = conv1d(x2, w, nullptr, o);
  for (std::int64_t t = 0; t < 10; ++t) {
    for (std::int64_t f = 0; f < 4; ++f) {
      if (t < 6) {
        EXPECT_EQ(y.data()[t * 4 + f], y2.data()[t * 4 + f]) << t;
      }
    }
  }
  EXPECT_NE(y.data()[6 * 4], y2.data()[6 * 4]);
  o.stride = 3;
  EXPECT_EQ(conv1d(x, w, nullptr, o).shape(), (Shape{1, 4, 4}));  // ceil(10 / 3)
}

TEST(Conv1D, ParsesPaddingAndRejectsBadInput) {
  EXPECT_EQ(parse_padding_1d("causal").kind, PaddingKind::kCausal);
  EXPECT_EQ(parse_padding_1d("2,1").before, 2);
  EXPECT_THROW(parse_padding_1d("full"), InvalidArgument);
  EXPECT_THROW(parse_padding_1d("1,-1"), InvalidArgument);
  EXPECT_THROW(conv1d(Tensor({1, 10, 2, 1}), Tensor({3, 2, 4}), nullptr), ShapeError);
  EXPECT_THROW(conv1d(Tensor({1, 2, 2}), Tensor({3, 2, 4}), nullptr), ShapeError);  // VALID
  Conv1DOptions o;
  o.groups = 2;
  EXPECT_EQ(conv1d(Tensor({1, 5, 4}), Tensor({3, 2, 6}), nullptr, o).shape(), (Shape{1, 3, 6}));
}

}  // namespace
}  // namespace strider
