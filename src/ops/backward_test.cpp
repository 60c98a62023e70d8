// Gradient checks of the backward ops: central differences of the scalar loss
// L = sum(r * forward(...)) (r random, L summed in double) against the analytic gradients, over
// sweeps of odd and even sizes, strides 1-4 (also larger than the kernel, and unequal), VALID,
// SAME and explicit padding, dilation 1-3, groups, batch 1-3 and depth multipliers; the adjoint
// identities <forward(x), dy> == <x, backward_input(dy)>; and every shape error.
//
// Convolutions and average pooling are linear in the perturbed tensor, so the difference uses a
// step of 1 and is exact up to the float rounding of the few outputs the step touches (the other
// outputs are computed identically both times and cancel in double). Max pooling uses distinct
// inputs spaced 1/64 apart and a step of 1/512, so no step changes which tap is the maximum.
#include "strider/ops/backward.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <string>

#include "strider/core/error.hpp"
#include "strider/core/random.hpp"
#include "strider/ops/conv2d.hpp"
#include "strider/ops/conv2d_transpose.hpp"
#include "strider/ops/depthwise_conv2d.hpp"
#include "strider/ops/pool2d.hpp"

namespace strider {
namespace {

Tensor random(Shape shape, Rng& rng) {
  Tensor t(std::move(shape));
  rng.fill_uniform(t.values(), -1, 1);
  return t;
}

Tensor absolute(Tensor t) {
  for (float& v : t.values()) v = std::fabs(v);
  return t;
}

double dot(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.shape(), b.shape());
  double s = 0;
  for (std::int64_t i = 0; i < a.size(); ++i) {
    s += static_cast<double>(a.data()[i]) * static_cast<double>(b.data()[i]);
  }
  return s;
}

std::int64_t pick(Rng& rng, std::int64_t lo, std::int64_t hi) {
  return lo + static_cast<std::int64_t>(rng.uniform() * static_cast<double>(hi - lo + 1));
}

// The elements whose derivatives are checked: all of a small tensor, else the first, the last
// and a random sample (the adjoint identities cover every element).
std::vector<std::int64_t> probes(std::int64_t size, Rng& rng) {
  constexpr std::int64_t kMax = 96;
  std::vector<std::int64_t> out;
  if (size <= kMax) {
    out.resize(static_cast<std::size_t>(size));
    std::iota(out.begin(), out.end(), std::int64_t{0});
    return out;
  }
  out = {0, size - 1};
  while (static_cast<std::int64_t>(out.size()) < kMax) out.push_back(pick(rng, 0, size - 1));
  return out;
}

// Checks grad[i] == dL/dv[i] for L(v) = sum(r * forward(v)) by central differences with step h;
// tolerance 1e-4 relative to scale[i] (the sum of |products| behind grad[i]) + 1e-5.
void expect_gradient(const std::string& what, const Tensor& v,
                     const std::function<Tensor(const Tensor&)>& forward, const Tensor& r,
                     const Tensor& grad, const Tensor& scale, double h, Rng& rng) {
  ASSERT_EQ(grad.shape(), v.shape()) << what;
  Tensor moved = v;
  int failures = 0;
  for (const std::int64_t i : probes(v.size(), rng)) {
    const float original = v.data()[i];
    moved.data()[i] = static_cast<float>(original + h);
    const double up = dot(r, forward(moved));
    moved.data()[i] = static_cast<float>(original - h);
    const double down = dot(r, forward(moved));
    moved.data()[i] = original;
    const double numeric = (up - down) / (2 * h);
    const double tol = 1e-4 * scale.data()[i] + 1e-5;
    if (std::fabs(numeric - grad.data()[i]) > tol && ++failures <= 3) {
      ADD_FAILURE() << what << ": element " << i << " analytic " << grad.data()[i]
                    << " central difference " << numeric << " tolerance " << tol;
    }
  }
}

std::string describe(const Shape& input, const Shape& filter, Pair2D strides, Pair2D dilation,
                     const Padding2D& padding, std::int64_t groups) {
  return fmt::format("input {} filter {} strides ({},{}) dilation ({},{}) padding {} groups {}",
                     format_shape(input), format_shape(filter), strides.h, strides.w, dilation.h,
                     dilation.w, padding.to_string(), groups);
}

Padding2D padding_of(int kind, Rng& rng) {
  if (kind == 0) return Padding2D::valid();
  if (kind == 1) return Padding2D::same();
  return Padding2D::explicit_pads(pick(rng, 0, 2), pick(rng, 0, 2), pick(rng, 0, 2),
                                  pick(rng, 0, 2));
}

// An extent that fits the window: (k - 1) * d + 1 plus 0-3, so odd and even both occur.
std::int64_t extent(std::int64_t k, std::int64_t d, Rng& rng) {
  return (k - 1) * d + 1 + pick(rng, 0, 3);
}

// -------------------------------------------------------------------------------------------
// conv2d

void check_conv2d(const Shape& in_shape, const Shape& w_shape, const Conv2DParams& params,
                  Rng& rng) {
  const std::string what =
      describe(in_shape, w_shape, params.strides, params.dilation, params.padding, params.groups);
  SCOPED_TRACE(what);
  Conv2DOptions o;
  o.params = params;
  o.kernel = "reference";
  const Tensor x = random(in_shape, rng), w = random(w_shape, rng);
  const Tensor y = conv2d(x, w, nullptr, o);
  const Tensor r = random(y.shape(), rng);
  const Tensor dx = conv2d_backward_input(r, w, in_shape, params);
  const Tensor dw = conv2d_backward_filter(x, r, w_shape, params);
  const Tensor sx = conv2d_backward_input(absolute(r), absolute(w), in_shape, params);
  const Tensor sw = conv2d_backward_filter(absolute(x), absolute(r), w_shape, params);
  expect_gradient(
      "conv2d d/dinput", x, [&](const Tensor& v) { return conv2d(v, w, nullptr, o); }, r, dx, sx,
      1.0, rng);
  expect_gradient(
      "conv2d d/dfilter", w, [&](const Tensor& v) { return conv2d(x, v, nullptr, o); }, r, dw, sw,
      1.0, rng);
  // Adjoint identities over every element: <conv(x, w), r> = <x, dx> = <w, dw>.
  const double yr = dot(y, r);
  const double bound = 1e-5 * dot(absolute(y), absolute(r)) + 1e-4;
  EXPECT_NEAR(dot(x, dx), yr, bound);
  EXPECT_NEAR(dot(w, dw), yr, bound);
}

TEST(Conv2DBackward, CentralDifferencesOverSweep) {
  Rng rng(61);
  int checked = 0;
  for (std::int64_t s = 1; s <= 4; ++s) {
    for (int padding = 0; padding < 3; ++padding) {
      for (std::int64_t d = 1; d <= 3; ++d) {
        const std::int64_t kh = pick(rng, 1, 3), kw = pick(rng, 1, 3);
        const std::int64_t groups = checked % 3 == 2 ? 2 : 1;
        const std::int64_t batch = 1 + checked % 3;
        // Unequal strides in every other case; stride > kernel whenever s > k.
        const Pair2D strides{s, checked % 2 == 0 ? s : pick(rng, 1, 4)};
        const Pair2D dilation{d, pick(rng, 1, 3)};
        const Shape in{batch, extent(kh, dilation.h, rng), extent(kw, dilation.w, rng),
                       groups * pick(rng, 1, 2)};
        const Shape w{kh, kw, in[3] / groups, groups * pick(rng, 1, 3)};
        check_conv2d(in, w, {strides, dilation, padding_of(padding, rng), groups}, rng);
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 36);
}

TEST(Conv2DBackward, TheTrainingShapesAndCorners) {
  Rng rng(62);
  // SAME with odd sizes and stride 2 (the odd pad cell after), as the Fashion-MNIST CNN has.
  check_conv2d({1, 7, 7, 2}, {3, 3, 2, 3}, {{2, 2}, {1, 1}, Padding2D::same(), 1}, rng);
  check_conv2d({2, 6, 6, 1}, {3, 3, 1, 4}, {{1, 1}, {1, 1}, Padding2D::same(), 1}, rng);
  // Kernel equal to the input, 1x1 with stride 3 (pixels skipped), depthwise-like groups.
  check_conv2d({1, 4, 5, 2}, {4, 5, 2, 2}, {{1, 1}, {1, 1}, Padding2D::valid(), 1}, rng);
  check_conv2d({1, 7, 8, 3}, {1, 1, 3, 2}, {{3, 3}, {1, 1}, Padding2D::valid(), 1}, rng);
  check_conv2d({1, 5, 5, 3}, {2, 2, 1, 6}, {{2, 1}, {1, 2}, Padding2D::same(), 3}, rng);
}

// conv2d_backward_input is the transposed convolution over the same windows (groups = 1).
TEST(Conv2DBackward, InputGradientIsTheTransposedConvolution) {
  Rng rng(63);
  for (std::int64_t s = 1; s <= 3; ++s) {
    for (int padding = 0; padding < 3; ++padding) {
      const Shape in{2, 7, 6, 3}, w_shape{3, 2, 3, 4};
      const Conv2DParams params{{s, s}, {1, 2}, padding_of(padding, rng), 1};
      SCOPED_TRACE(describe(in, w_shape, params.strides, params.dilation, params.padding, 1));
      const Tensor w = random(w_shape, rng);
      const Tensor dy = random(Conv2DGeometry::make(in, w_shape, params).output_shape(), rng);
      Conv2DTransposeOptions t;
      t.params = {params.strides, params.dilation, params.padding, std::nullopt,
                  Pair2D{in[1], in[2]}};
      const Tensor want = conv2d_transpose(dy, w, nullptr, t);
      const Tensor got = conv2d_backward_input(dy, w, in, params);
      ASSERT_EQ(got.shape(), want.shape());
      for (std::int64_t i = 0; i < got.size(); ++i) {
        ASSERT_NEAR(got.data()[i], want.data()[i], 1e-5) << "element " << i;
      }
    }
  }
}

TEST(Conv2DBackward, Errors) {
  const Shape in{1, 6, 6, 2};
  const Tensor w({3, 3, 2, 4});
  const Conv2DParams p{{2, 2}, {1, 1}, Padding2D::same(), 1};
  // The forward output is (1, 3, 3, 4).
  try {
    conv2d_backward_input(Tensor({1, 3, 3, 5}), w, in, p);
    FAIL() << "no throw";
  } catch (const ShapeError& e) {
    EXPECT_STREQ(e.what(),
                 "conv2d_backward_input: grad_output must have the conv2d output shape "
                 "(1, 3, 3, 4) for input (1, 6, 6, 2), got (1, 3, 3, 5)");
  }
  try {
    conv2d_backward_filter(Tensor(in), Tensor({1, 2, 3, 4}), w.shape(), p);
    FAIL() << "no throw";
  } catch (const ShapeError& e) {
    EXPECT_STREQ(e.what(),
                 "conv2d_backward_filter: grad_output must have the conv2d output shape "
                 "(1, 3, 3, 4) for input (1, 6, 6, 2), got (1, 2, 3, 4)");
  }
  // A filter whose in-channels do not match the input, a filter of the wrong rank, bad params.
  const Tensor dy({1, 3, 3, 4});
  EXPECT_THROW(conv2d_backward_input(dy, Tensor({3, 3, 3, 4}), in, p), ShapeError);
  EXPECT_THROW(conv2d_backward_filter(Tensor(in), dy, {3, 3, 3, 4}, p), ShapeError);
  EXPECT_THROW(conv2d_backward_input(dy, Tensor({3, 3, 2}), in, p), ShapeError);
  EXPECT_THROW(conv2d_backward_filter(Tensor(in), dy, {3, 3, 2}, p), ShapeError);
  EXPECT_THROW(conv2d_backward_input(dy, w, {6, 6, 2}, p), ShapeError);
  Conv2DParams zero = p;
  zero.strides.w = 0;
  EXPECT_THROW(conv2d_backward_input(dy, w, in, zero), InvalidArgument);
  EXPECT_THROW(conv2d_backward_filter(Tensor(in), dy, w.shape(), zero), InvalidArgument);
  Conv2DParams grouped = p;
  grouped.groups = 3;  // does not divide 2 input channels
  EXPECT_THROW(conv2d_backward_input(dy, w, in, grouped), Error);
  try {
    conv2d_backward_input(dy, w, in, zero);
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("conv2d_backward_input"), std::string::npos) << e.what();
  }
}

TEST(Conv2DBackward, EmptyBatch) {
  const Conv2DParams p{{2, 2}, {1, 1}, Padding2D::same(), 1};
  EXPECT_EQ(
      conv2d_backward_input(Tensor({0, 3, 3, 4}), Tensor({3, 3, 2, 4}), {0, 6, 6, 2}, p).shape(),
      (Shape{0, 6, 6, 2}));
  const Tensor dw =
      conv2d_backward_filter(Tensor({0, 6, 6, 2}), Tensor({0, 3, 3, 4}), {3, 3, 2, 4}, p);
  ASSERT_EQ(dw.shape(), (Shape{3, 3, 2, 4}));
  for (const float v : dw.values()) EXPECT_EQ(v, 0.0f);
}

// -------------------------------------------------------------------------------------------
// depthwise

void check_depthwise(const Shape& in_shape, const Shape& w_shape, const DepthwiseConv2DOptions& o,
                     Rng& rng) {
  SCOPED_TRACE(describe(in_shape, w_shape, o.strides, o.dilation, o.padding, in_shape[3]));
  DepthwiseConv2DOptions ref = o;
  ref.kernel = "reference";
  const Tensor x = random(in_shape, rng), w = random(w_shape, rng);
  const Tensor y = depthwise_conv2d(x, w, nullptr, ref);
  const Tensor r = random(y.shape(), rng);
  const Tensor dx = depthwise_conv2d_backward_input(r, w, in_shape, o);
  const Tensor dw = depthwise_conv2d_backward_filter(x, r, w_shape, o);
  const Tensor sx = depthwise_conv2d_backward_input(absolute(r), absolute(w), in_shape, o);
  const Tensor sw = depthwise_conv2d_backward_filter(absolute(x), absolute(r), w_shape, o);
  expect_gradient(
      "depthwise d/dinput", x,
      [&](const Tensor& v) { return depthwise_conv2d(v, w, nullptr, ref); }, r, dx, sx, 1.0, rng);
  expect_gradient(
      "depthwise d/dfilter", w,
      [&](const Tensor& v) { return depthwise_conv2d(x, v, nullptr, ref); }, r, dw, sw, 1.0, rng);
  const double yr = dot(y, r);
  const double bound = 1e-5 * dot(absolute(y), absolute(r)) + 1e-4;
  EXPECT_NEAR(dot(x, dx), yr, bound);
  EXPECT_NEAR(dot(w, dw), yr, bound);
}

TEST(DepthwiseConv2DBackward, CentralDifferencesOverSweep) {
  Rng rng(71);
  int checked = 0;
  for (std::int64_t s = 1; s <= 4; ++s) {
    for (int padding = 0; padding < 3; ++padding) {
      for (std::int64_t d = 1; d <= 3; ++d) {
        DepthwiseConv2DOptions o;
        const std::int64_t kh = pick(rng, 1, 3), kw = pick(rng, 1, 3);
        o.strides = {s, checked % 2 == 0 ? s : pick(rng, 1, 4)};
        o.dilation = {d, pick(rng, 1, 3)};
        o.padding = padding_of(padding, rng);
        const Shape in{1 + checked % 3, extent(kh, o.dilation.h, rng),
                       extent(kw, o.dilation.w, rng), pick(rng, 1, 3)};
        check_depthwise(in, {kh, kw, in[3], pick(rng, 1, 3)}, o, rng);
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 36);
}

TEST(DepthwiseConv2DBackward, Errors) {
  DepthwiseConv2DOptions o;
  o.padding = Padding2D::same();
  const Shape in{1, 5, 5, 3};
  const Tensor w({3, 3, 3, 2});
  try {
    depthwise_conv2d_backward_input(Tensor({1, 5, 5, 3}), w, in, o);
    FAIL() << "no throw";
  } catch (const ShapeError& e) {
    EXPECT_STREQ(e.what(),
                 "depthwise_conv2d_backward_input: grad_output must have the depthwise_conv2d "
                 "output shape (1, 5, 5, 6) for input (1, 5, 5, 3), got (1, 5, 5, 3)");
  }
  EXPECT_THROW(depthwise_conv2d_backward_filter(Tensor(in), Tensor({1, 4, 5, 6}), w.shape(), o),
               ShapeError);
  const Tensor dy({1, 5, 5, 6});
  EXPECT_THROW(depthwise_conv2d_backward_input(dy, Tensor({3, 3, 2, 3}), in, o), ShapeError);
  EXPECT_THROW(depthwise_conv2d_backward_filter(Tensor(in), dy, {3, 3, 2, 3}, o), ShapeError);
  EXPECT_THROW(depthwise_conv2d_backward_filter(Tensor(in), dy, {3, 3, 3, 0}, o), InvalidArgument);
  o.dilation = {0, 1};
  EXPECT_THROW(depthwise_conv2d_backward_input(dy, w, in, o), InvalidArgument);
}

// -------------------------------------------------------------------------------------------
// conv2d_transpose

void check_transpose(const Shape& in_shape, const Shape& w_shape, const Conv2DTransposeParams& p,
                     Rng& rng) {
  SCOPED_TRACE(describe(in_shape, w_shape, p.strides, p.dilation, p.padding, 1) +
               (p.output_padding ? fmt::format(" output_padding ({},{})", p.output_padding->h,
                                               p.output_padding->w)
                                 : std::string()));
  Conv2DTransposeOptions o;
  o.params = p;
  const Tensor x = random(in_shape, rng), w = random(w_shape, rng);
  const Tensor y = conv2d_transpose(x, w, nullptr, o);
  const Tensor r = random(y.shape(), rng);
  const Tensor dx = conv2d_transpose_backward_input(r, w, in_shape, p);
  const Tensor dw = conv2d_transpose_backward_filter(x, r, w_shape, p);
  const Tensor sx = conv2d_transpose_backward_input(absolute(r), absolute(w), in_shape, p);
  const Tensor sw = conv2d_transpose_backward_filter(absolute(x), absolute(r), w_shape, p);
  expect_gradient(
      "conv2d_transpose d/dinput", x,
      [&](const Tensor& v) { return conv2d_transpose(v, w, nullptr, o); }, r, dx, sx, 1.0, rng);
  expect_gradient(
      "conv2d_transpose d/dfilter", w,
      [&](const Tensor& v) { return conv2d_transpose(x, v, nullptr, o); }, r, dw, sw, 1.0, rng);
  const double yr = dot(y, r);
  const double bound = 1e-5 * dot(absolute(y), absolute(r)) + 1e-4;
  EXPECT_NEAR(dot(x, dx), yr, bound);
  EXPECT_NEAR(dot(w, dw), yr, bound);
}

TEST(Conv2DTransposeBackward, CentralDifferencesOverSweep) {
  Rng rng(81);
  int checked = 0;
  for (std::int64_t s = 1; s <= 4; ++s) {
    for (int padding = 0; padding < 3; ++padding) {
      for (std::int64_t d = 1; d <= 2; ++d) {
        Conv2DTransposeParams p;
        const std::int64_t kh = pick(rng, 1, 3), kw = pick(rng, 1, 3);
        p.strides = {s, checked % 2 == 0 ? s : pick(rng, 1, 4)};
        p.dilation = {d, pick(rng, 1, 2)};
        p.padding = padding_of(padding, rng);
        if (padding != 2 && checked % 3 == 1) {
          p.output_padding = Pair2D{pick(rng, 0, p.strides.h - 1), pick(rng, 0, p.strides.w - 1)};
        }
        const Shape in{1 + checked % 3, pick(rng, 2, 4), pick(rng, 2, 4), pick(rng, 1, 3)};
        const Shape w{kh, kw, pick(rng, 1, 3), in[3]};
        try {
          Conv2DTransposeGeometry::make(in, w, p);
        } catch (const ShapeError&) {
          continue;  // SAME with an even kernel needs output_padding >= 1; redrawn by the loop
        }
        check_transpose(in, w, p, rng);
        ++checked;
      }
    }
  }
  EXPECT_GE(checked, 20);
}

// The transposed convolution's input gradient is conv2d over the same windows.
TEST(Conv2DTransposeBackward, InputGradientIsConv2D) {
  Rng rng(82);
  for (std::int64_t s = 1; s <= 3; ++s) {
    for (int padding = 0; padding < 2; ++padding) {
      Conv2DTransposeParams p;
      p.strides = {s, s};
      p.padding = padding_of(padding, rng);
      const Shape in{2, 4, 3, 3}, w_shape{3, 3, 2, 3};
      const Tensor w = random(w_shape, rng);
      const Tensor dy = random(Conv2DTransposeGeometry::make(in, w_shape, p).output_shape(), rng);
      Conv2DOptions c;
      c.params = {p.strides, p.dilation, p.padding, 1};
      c.kernel = "reference";
      const Tensor want = conv2d(dy, w, nullptr, c);
      const Tensor got = conv2d_transpose_backward_input(dy, w, in, p);
      ASSERT_EQ(got.shape(), want.shape());
      for (std::int64_t i = 0; i < got.size(); ++i) {
        ASSERT_NEAR(got.data()[i], want.data()[i], 1e-5) << "element " << i;
      }
    }
  }
}

TEST(Conv2DTransposeBackward, Errors) {
  Conv2DTransposeParams p;
  p.strides = {2, 2};
  p.padding = Padding2D::same();
  const Shape in{1, 3, 3, 2};
  const Tensor w({3, 3, 4, 2});  // output (1, 6, 6, 4)
  try {
    conv2d_transpose_backward_input(Tensor({1, 7, 6, 4}), w, in, p);
    FAIL() << "no throw";
  } catch (const ShapeError& e) {
    EXPECT_STREQ(e.what(),
                 "conv2d_transpose_backward_input: grad_output must have the conv2d_transpose "
                 "output shape (1, 6, 6, 4) for input (1, 3, 3, 2), got (1, 7, 6, 4)");
  }
  EXPECT_THROW(conv2d_transpose_backward_filter(Tensor(in), Tensor({1, 6, 6, 3}), w.shape(), p),
               ShapeError);
  const Tensor dy({1, 6, 6, 4});
  EXPECT_THROW(conv2d_transpose_backward_input(dy, Tensor({3, 3, 4, 3}), in, p), ShapeError);
  EXPECT_THROW(conv2d_transpose_backward_filter(Tensor(in), dy, {3, 3, 4, 3}, p), ShapeError);
  p.output_padding = Pair2D{2, 0};  // must be < stride
  EXPECT_THROW(conv2d_transpose_backward_input(dy, w, in, p), InvalidArgument);
}

// -------------------------------------------------------------------------------------------
// pooling

// Distinct values 1/64 apart in a random order, so central steps of 1/512 never tie.
Tensor distinct(Shape shape, Rng& rng) {
  Tensor t(std::move(shape));
  std::vector<std::int64_t> order(static_cast<std::size_t>(t.size()));
  std::iota(order.begin(), order.end(), std::int64_t{0});
  for (std::size_t i = order.size(); i > 1; --i) {
    std::swap(order[i - 1],
              order[static_cast<std::size_t>(pick(rng, 0, static_cast<std::int64_t>(i) - 1))]);
  }
  for (std::int64_t i = 0; i < t.size(); ++i) {
    t.data()[i] = static_cast<float>(order[static_cast<std::size_t>(i)]) / 64.0f - 1.0f;
  }
  return t;
}

void check_pool(PoolOp op, const Shape& in_shape, const Pool2DParams& params, Rng& rng) {
  SCOPED_TRACE(fmt::format("{} input {} pool ({},{}) strides ({},{}) padding {}", pool_op_name(op),
                           format_shape(in_shape), params.pool_size.h, params.pool_size.w,
                           params.effective_strides().h, params.effective_strides().w,
                           params.padding.to_string()));
  const Pool2DOptions o{params, "reference"};
  const Tensor x = distinct(in_shape, rng);
  const Tensor y = pool2d(op, x, o);
  const Tensor r = random(y.shape(), rng);
  const Tensor dx = pool2d_backward(op, x, r, o);
  // S: every grad_output value reaches at most its window's taps.
  const Tensor scale = pool2d_backward(PoolOp::kAvg, x, absolute(r), o);
  Tensor ones = scale;
  for (float& v : ones.values()) v = 1.0f;
  const double h = op == PoolOp::kMax ? 1.0 / 512 : 1.0;
  expect_gradient(
      "pool d/dinput", x, [&](const Tensor& v) { return pool2d(op, v, o); }, r, dx,
      op == PoolOp::kMax ? ones : scale, h, rng);
  if (op == PoolOp::kAvg) {
    EXPECT_NEAR(dot(x, dx), dot(y, r), 1e-4);
  }
}

TEST(Pool2DBackward, CentralDifferencesOverSweep) {
  Rng rng(91);
  int checked = 0;
  for (const PoolOp op : {PoolOp::kMax, PoolOp::kAvg}) {
    for (std::int64_t s = 1; s <= 4; ++s) {
      for (int padding = 0; padding < 2; ++padding) {
        for (std::int64_t k = 1; k <= 3; ++k) {
          Pool2DParams p;
          p.pool_size = {k, pick(rng, 1, 3)};
          p.strides = Pair2D{s, checked % 2 == 0 ? s : pick(rng, 1, 4)};
          p.padding = padding_of(padding, rng);
          const Shape in{1 + checked % 3, extent(p.pool_size.h, 1, rng) + 1,
                         extent(p.pool_size.w, 1, rng), pick(rng, 1, 3)};
          check_pool(op, in, p, rng);
          ++checked;
        }
      }
    }
  }
  EXPECT_EQ(checked, 48);
}

TEST(Pool2DBackward, MaxRoutesToTheFirstMaximumOfEachWindow) {
  // Ties: the whole window is 5; the first tap in scan order takes the gradient.
  Tensor x({1, 2, 3, 1});
  for (float& v : x.values()) v = 5.0f;
  x.at(0, 1, 2, 0) = 1.0f;
  Pool2DOptions o;
  o.params.pool_size = {2, 2};
  o.params.strides = Pair2D{1, 1};
  const Tensor dy({1, 1, 2, 1}, std::vector<float>{1.0f, 10.0f});
  const Tensor dx = pool2d_backward(PoolOp::kMax, x, dy, o);
  EXPECT_EQ(dx.at(0, 0, 0, 0), 1.0f);
  EXPECT_EQ(dx.at(0, 0, 1, 0), 10.0f);  // first of the second window
  EXPECT_EQ(std::accumulate(dx.values().begin(), dx.values().end(), 0.0f), 11.0f);
  // Overlapping windows that share a maximum add up there.
  x.at(0, 0, 1, 0) = 9.0f;
  const Tensor both = pool2d_backward(PoolOp::kMax, x, dy, o);
  EXPECT_EQ(both.at(0, 0, 1, 0), 11.0f);
  // Padding never takes the gradient, even when every real value is negative.
  Tensor neg({1, 3, 3, 1});
  for (float& v : neg.values()) v = -1.0f;
  neg.at(0, 2, 2, 0) = -0.5f;
  o.params.padding = Padding2D::same();
  o.params.strides = Pair2D{2, 2};
  const Tensor dn = pool2d_backward(PoolOp::kMax, neg, Tensor({1, 2, 2, 1}), o);
  EXPECT_EQ(dn.shape(), neg.shape());
}

TEST(Pool2DBackward, AverageExcludesPadding) {
  // SAME, pool 3, stride 3 on 4: the corner window holds 2x2 real cells, so each gets 1/4.
  Pool2DOptions o;
  o.params.pool_size = {3, 3};
  o.params.padding = Padding2D::same();
  const Tensor dy({1, 2, 2, 1}, std::vector<float>{4.0f, 8.0f, 12.0f, 16.0f});
  const Tensor dx = pool2d_backward(PoolOp::kAvg, Tensor({1, 4, 4, 1}), dy, o);
  EXPECT_EQ(dx.at(0, 0, 0, 0), 1.0f);
  EXPECT_EQ(dx.at(0, 1, 1, 0), 1.0f);
  EXPECT_EQ(dx.at(0, 3, 3, 0), 4.0f);
  EXPECT_EQ(dx.at(0, 0, 3, 0), 2.0f);
}

TEST(Pool2DBackward, Errors) {
  Pool2DOptions o;
  const Tensor x({1, 4, 4, 2});
  try {
    pool2d_backward(PoolOp::kMax, x, Tensor({1, 2, 2, 3}), o);
    FAIL() << "no throw";
  } catch (const ShapeError& e) {
    EXPECT_STREQ(e.what(),
                 "max_pool2d_backward: grad_output must have the max_pool2d output shape "
                 "(1, 2, 2, 2) for input (1, 4, 4, 2), got (1, 2, 2, 3)");
  }
  EXPECT_THROW(pool2d_backward(PoolOp::kAvg, x, Tensor({2, 2, 2}), o), ShapeError);
  EXPECT_THROW(pool2d_backward(PoolOp::kAvg, Tensor({4, 4, 2}), Tensor({2, 2, 2}), o), ShapeError);
  o.params.pool_size = {0, 2};
  EXPECT_THROW(pool2d_backward(PoolOp::kAvg, x, Tensor({1, 2, 2, 2}), o), InvalidArgument);
  o.params.pool_size = {5, 2};  // VALID window taller than the input
  EXPECT_THROW(pool2d_backward(PoolOp::kMax, x, Tensor({1, 0, 2, 2}), o), ShapeError);
}

TEST(GlobalPool2DBackward, CentralDifferences) {
  Rng rng(101);
  for (const Shape& in : {Shape{1, 1, 1, 1}, Shape{2, 3, 4, 3}, Shape{3, 5, 2, 2}}) {
    SCOPED_TRACE(format_shape(in));
    const Tensor x = distinct(in, rng);
    const Tensor r = random({in[0], in[3]}, rng);
    Tensor ones(in);
    for (float& v : ones.values()) v = 1.0f;
    const Tensor da = global_avg_pool2d_backward(in, r);
    expect_gradient(
        "global avg", x, [](const Tensor& v) { return global_avg_pool2d(v); }, r, da, ones, 1.0,
        rng);
    const Tensor dm = global_max_pool2d_backward(x, r);
    expect_gradient(
        "global max", x, [](const Tensor& v) { return global_max_pool2d(v); }, r, dm, ones,
        1.0 / 512, rng);
  }
}

TEST(GlobalPool2DBackward, Errors) {
  try {
    global_avg_pool2d_backward({2, 3, 3, 4}, Tensor({2, 3}));
    FAIL() << "no throw";
  } catch (const ShapeError& e) {
    EXPECT_STREQ(e.what(),
                 "global_avg_pool2d_backward: grad_output must be [N, C] = (2, 4) for input "
                 "(2, 3, 3, 4), got (2, 3)");
  }
  EXPECT_THROW(global_avg_pool2d_backward({2, 3, 4}, Tensor({2, 4})), ShapeError);
  EXPECT_THROW(global_avg_pool2d_backward({2, 0, 3, 4}, Tensor({2, 4})), ShapeError);
  EXPECT_THROW(global_max_pool2d_backward(Tensor({2, 3, 3, 4}), Tensor({2, 1, 1, 4})), ShapeError);
  EXPECT_THROW(global_max_pool2d_backward(Tensor({2, 3, 0, 4}), Tensor({2, 4})), ShapeError);
  EXPECT_THROW(global_max_pool2d_backward(Tensor({3, 3, 4}), Tensor({3, 4})), ShapeError);
}

// -------------------------------------------------------------------------------------------
// bias

// The sum over rows of x[r, k] * dy[r, j], against plain double loops: a small rank-3 input and
// the training CNN's dense layer (64 rows, 3136 inputs: its tap tiles split over the threads),
// with the same bits on one thread and two.
TEST(DenseBackwardKernel, SumsTheRowsProducts) {
  Rng rng(31);
  for (const auto& [x_shape, dy_shape] :
       {std::pair{Shape{2, 3, 37}, Shape{6, 10}}, std::pair{Shape{64, 3136}, Shape{64, 10}}}) {
    SCOPED_TRACE(format_shape(x_shape));
    Tensor x(x_shape), dy(dy_shape);
    rng.fill_uniform(x.values(), -1, 1);
    rng.fill_uniform(dy.values(), -1, 1);
    const std::int64_t k = x_shape.back(), j = dy_shape.back(), rows = dy_shape[0];
    const int threads = omp_get_max_threads();
    omp_set_num_threads(1);
    const Tensor one = dense_backward_kernel(x, dy);
    omp_set_num_threads(2);
    const Tensor two = dense_backward_kernel(x, dy);
    omp_set_num_threads(threads);
    ASSERT_EQ(one.shape(), (Shape{k, j}));
    EXPECT_EQ(std::vector<float>(one.values().begin(), one.values().end()),
              std::vector<float>(two.values().begin(), two.values().end()));
    for (std::int64_t a = 0; a < k; ++a) {
      for (std::int64_t b = 0; b < j; ++b) {
        double want = 0.0, scale = 0.0;
        for (std::int64_t r = 0; r < rows; ++r) {
          const double term = static_cast<double>(x.data()[r * k + a]) * dy.data()[r * j + b];
          want += term;
          scale += std::abs(term);
        }
        ASSERT_NEAR(one.data()[a * j + b], want, 1e-5 * scale + 1e-6) << a << ", " << b;
      }
    }
  }
  const Tensor none = dense_backward_kernel(Tensor({0, 4}), Tensor({0, 3}));
  ASSERT_EQ(none.shape(), (Shape{4, 3}));
  EXPECT_EQ(std::vector<float>(none.values().begin(), none.values().end()),
            std::vector<float>(12, 0.0f));
}

TEST(DenseBackwardKernel, Errors) {
  try {
    dense_backward_kernel(Tensor({4, 5}), Tensor({3, 2}));
    FAIL() << "no throw";
  } catch (const ShapeError& e) {
    EXPECT_STREQ(e.what(),
                 "dense_backward_kernel: input (4, 5) and grad_output (3, 2) must be [..., K] and "
                 "[..., J] with as many rows");
  }
  EXPECT_THROW(dense_backward_kernel(Tensor(Shape{}), Tensor({3, 2})), ShapeError);
  EXPECT_EQ(dense_backward_kernel(Tensor({3, 0}), Tensor({3, 2})).shape(), (Shape{0, 2}));
}

TEST(BiasBackward, SumsEveryAxisButTheLast) {
  Tensor dy({2, 3, 1, 2});
  std::iota(dy.values().begin(), dy.values().end(), 1.0f);  // 1..12; channel 0 odd, 1 even
  const Tensor db = bias_backward(dy);
  ASSERT_EQ(db.shape(), (Shape{2}));
  EXPECT_EQ(db.data()[0], 36.0f);
  EXPECT_EQ(db.data()[1], 42.0f);
  const Tensor flat = bias_backward(Tensor({3}, std::vector<float>{1, 2, 3}));
  EXPECT_EQ(flat.values()[2], 3.0f);
  EXPECT_EQ(bias_backward(Tensor({0, 5})).shape(), (Shape{5}));
  EXPECT_EQ(bias_backward(Tensor({4, 0})).shape(), (Shape{0}));
}

TEST(BiasBackward, Errors) {
  try {
    bias_backward(Tensor(Shape{}));
    FAIL() << "no throw";
  } catch (const ShapeError& e) {
    EXPECT_STREQ(e.what(), "bias_backward: grad_output must have rank >= 1, got a scalar");
  }
}

// The fused pass masks in place and sums exactly what the two passes do, on threads (three
// images of 340 rows).
TEST(BiasBackward, ReluFusedIsMaskThenBiasBitForBit) {
  Rng rng(11);
  Tensor y({3, 20, 17, 12}), dy({3, 20, 17, 12});
  rng.fill_uniform(y.values(), -1, 1);
  rng.fill_uniform(dy.values(), -1, 1);
  for (std::int64_t i = 0; i < 40; ++i) y.data()[i * 7] = 0.0f;  // zero is masked, like < 0
  Tensor want = dy;
  for (std::int64_t i = 0; i < want.size(); ++i) {
    if (!(y.data()[i] > 0.0f)) want.data()[i] = 0.0f;
  }
  const Tensor want_bias = bias_backward(want);
  Tensor got = dy;
  const Tensor got_bias = relu_bias_backward(y, got);
  EXPECT_TRUE(std::equal(got.values().begin(), got.values().end(), want.values().begin()));
  ASSERT_EQ(got_bias.shape(), (Shape{12}));
  EXPECT_TRUE(
      std::equal(got_bias.values().begin(), got_bias.values().end(), want_bias.values().begin()));
  Tensor wrong({3, 20, 17, 11});
  EXPECT_THROW(relu_bias_backward(y, wrong), ShapeError);
  Tensor scalar(Shape{});
  EXPECT_THROW(relu_bias_backward(Tensor(Shape{}), scalar), ShapeError);
}

// The ReLU folded into a convolution's input gradient is, bit for bit, the input gradient then
// relu_bias_backward: for the training CNN's layer shape (the column-matrix kernels, both threads),
// a grouped strided layer with odd sizes, and a depthwise-shaped one (groups = channels).
TEST(BiasBackward, ReluFoldedIntoTheInputGradientIsTheSameBits) {
  Rng rng(12);
  struct Case {
    Shape input, filter;
    Conv2DParams params;
  };
  for (const Case& c :
       {Case{{3, 28, 28, 32}, {3, 3, 32, 64}, {{2, 2}, {1, 1}, Padding2D::same(), 1}},
        Case{{2, 13, 11, 12}, {3, 2, 6, 10}, {{1, 3}, {2, 1}, Padding2D::same(), 2}},
        Case{{2, 9, 8, 5}, {3, 3, 1, 10}, {{2, 1}, {1, 1}, Padding2D::valid(), 5}},
        Case{{0, 9, 8, 5}, {3, 3, 5, 4}, {{2, 1}, {1, 1}, Padding2D::valid(), 1}}}) {
    SCOPED_TRACE(format_shape(c.input));
    Tensor y = random(c.input, rng);
    for (float& v : y.values()) v = std::max(v, 0.0f);  // a ReLU's output: about half zeros
    const Tensor w = random(c.filter, rng);
    const Tensor dy =
        random(conv2d(y, w, nullptr, {c.params, Activation::kLinear, {}}).shape(), rng);
    Tensor want = conv2d_backward_input(dy, w, y.shape(), c.params);
    const Tensor want_bias = relu_bias_backward(y, want);
    const ReluBiasGradients got = conv2d_backward_input_relu_bias(dy, w, y, c.params);
    ASSERT_EQ(got.grad_input.shape(), want.shape());
    EXPECT_TRUE(std::equal(got.grad_input.values().begin(), got.grad_input.values().end(),
                           want.values().begin()));
    ASSERT_EQ(got.grad_bias.shape(), (Shape{c.input[3]}));
    EXPECT_TRUE(std::equal(got.grad_bias.values().begin(), got.grad_bias.values().end(),
                           want_bias.values().begin()));
  }
  const Tensor y({1, 5, 5, 2}), w({3, 3, 2, 4});
  EXPECT_THROW(conv2d_backward_input_relu_bias(Tensor({1, 4, 3, 4}), w, y, {}), ShapeError);
  EXPECT_THROW(conv2d_backward_input_relu_bias(Tensor({1, 3, 3, 4}), w, y, {{0, 1}}),
               InvalidArgument);
}

}  // namespace
}  // namespace strider
