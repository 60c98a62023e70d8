// The depthwise entries of the Conv2D backward kernel lists that this CPU can run, against the
// reference, over a random sweep: odd and even extents, strides 1-4 (unequal, and larger than the
// kernel), dilation, VALID/SAME/explicit padding, multipliers 1-3, batch 1-3, channel counts that
// are no multiple of a vector, and cases large enough to run on threads. Tolerance:
// 1e-4 relative to the sum of |products|. The input gradient's bits do not depend on the thread
// count, the filter gradient's are the same for the same thread count.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "kernels/conv2d/conv2d_direct.hpp"
#include "kernels/conv2d_backward/conv2d_backward_kernel.hpp"
#include "kernels/depthwise_backward/depthwise_backward.hpp"
#include "strider/core/error.hpp"
#include "strider/core/random.hpp"

namespace strider::kernels {
namespace {

std::int64_t pick(Rng& rng, std::int64_t lo, std::int64_t hi) {
  return lo + static_cast<std::int64_t>(rng.uniform() * static_cast<double>(hi - lo + 1));
}

Tensor random(Shape shape, Rng& rng) {
  Tensor t(std::move(shape));
  rng.fill_uniform(t.values(), -1, 1);
  return t;
}

Tensor absolute(Tensor t) {
  for (float& v : t.values()) v = std::fabs(v);
  return t;
}

bool is_depthwise_kernel(std::string_view name) { return name.starts_with("depthwise_"); }

Tensor run_input(const Conv2DBackwardInputKernel& k, const Conv2DGeometry& g, const Tensor& dy,
                 const Tensor& w) {
  Tensor dx(g.input_shape());
  for (float& v : dx.values()) v = 7.0f;  // kernels must write every element
  k.run({g, dy.data(), w.data(), dx.data()});
  return dx;
}

Tensor run_filter(const Conv2DBackwardFilterKernel& k, const Conv2DGeometry& g, const Tensor& x,
                  const Tensor& dy) {
  Tensor dw(g.filter_shape());
  for (float& v : dw.values()) v = 7.0f;
  k.run({g, x.data(), dy.data(), dw.data()});
  return dw;
}

// Returns how many elements differ by more than 1e-4 of the sum of |products| (reports 3).
int expect_close(const std::string& what, const Tensor& got, const Tensor& want,
                 const Tensor& scale) {
  int failures = 0;
  for (std::int64_t i = 0; i < got.size(); ++i) {
    const double tol = 1e-4 * scale.data()[i] + 1e-6;
    if (!(std::fabs(static_cast<double>(got.data()[i]) - want.data()[i]) <= tol) &&
        ++failures <= 3) {
      ADD_FAILURE() << what << ": element " << i << " is " << got.data()[i] << ", reference "
                    << want.data()[i] << " (tolerance " << tol << ")";
    }
  }
  return failures;
}

struct Case {
  Shape input, filter;  // filter [kh, kw, C, M]
  Conv2DParams params;
  std::string describe() const {
    return fmt::format("input {} filter {} strides ({},{}) dilation ({},{}) padding {}",
                       format_shape(input), format_shape(filter), params.strides.h,
                       params.strides.w, params.dilation.h, params.dilation.w,
                       params.padding.to_string());
  }
};

// Returns the number of depthwise kernels compared.
int expect_depthwise_kernels_match(const Case& c, Rng& rng) {
  SCOPED_TRACE(c.describe());
  const Conv2DGeometry g = Conv2DGeometry::make_depthwise(c.input, c.filter, c.params);
  const Tensor x = random(c.input, rng), w = random(c.filter, rng);
  const Tensor dy = random(g.output_shape(), rng);
  const auto& ref_in = conv2d_backward_input_kernels().back();
  const auto& ref_filter = conv2d_backward_filter_kernels().back();
  const Tensor want_dx = run_input(ref_in, g, dy, w);
  const Tensor want_dw = run_filter(ref_filter, g, x, dy);
  const Tensor scale_dx = run_input(ref_in, g, absolute(dy), absolute(w));
  const Tensor scale_dw = run_filter(ref_filter, g, absolute(x), absolute(dy));
  int compared = 0;
  for (const auto& k : conv2d_backward_input_kernels()) {
    if (!is_depthwise_kernel(k.name) || !k.supports(g)) continue;
    if (expect_close(std::string(k.name), run_input(k, g, dy, w), want_dx, scale_dx) > 0) break;
    ++compared;
  }
  for (const auto& k : conv2d_backward_filter_kernels()) {
    if (!is_depthwise_kernel(k.name) || !k.supports(g)) continue;
    if (expect_close(std::string(k.name), run_filter(k, g, x, dy), want_dw, scale_dw) > 0) break;
    ++compared;
  }
  return compared;
}

TEST(DepthwiseBackwardKernels, MatchTheReferenceOverARandomSweep) {
  Rng rng(31);
  int checked = 0, threaded = 0;
  // Every tenth case is larger, and the sweep goes on with large cases until at least 5 have run
  // on threads.
  while (checked < 200 || threaded < 5) {
    const std::int64_t big = checked % 10 == 0 || checked >= 200 ? 3 : 1;
    Case c;
    c.input = {pick(rng, 1, 3), big * pick(rng, 1, 13), big * pick(rng, 1, 13), pick(rng, 1, 40)};
    c.filter = {pick(rng, 1, 5), pick(rng, 1, 5), c.input[3], pick(rng, 1, 3)};
    c.params.strides = {pick(rng, 1, 4), pick(rng, 1, 4)};
    c.params.dilation = {pick(rng, 1, 2), pick(rng, 1, 2)};
    switch (pick(rng, 0, 2)) {
      case 0:
        c.params.padding = Padding2D::valid();
        break;
      case 1:
        c.params.padding = Padding2D::same();
        break;
      default: {
        // Named first: the order in which a call's arguments are evaluated differs by compiler.
        const std::int64_t top = pick(rng, 0, 2), bottom = pick(rng, 0, 2);
        const std::int64_t left = pick(rng, 0, 2), right = pick(rng, 0, 2);
        c.params.padding = Padding2D::explicit_pads(top, bottom, left, right);
      }
    }
    Conv2DGeometry g;
    try {
      g = Conv2DGeometry::make_depthwise(c.input, c.filter, c.params);
    } catch (const Error&) {
      continue;
    }
    if (g.macs() >= kDepthwiseParallelMacs) ++threaded;
    // The generic kernel runs on every CPU: each case compares at least its two gradients.
    ASSERT_GE(expect_depthwise_kernels_match(c, rng), 2);
    ++checked;
  }
}

TEST(DepthwiseBackwardKernels, MatchTheReferenceOnTrainingShapes) {
  Rng rng(32);
  // MobileNet-like layers: 3x3 SAME stride 1 and 2 with 32, 48 and 72 channels (two and three
  // whole AVX-512 vectors; a full block plus a tail), and a multiplier of 2 with unequal strides
  // and dilation.
  expect_depthwise_kernels_match(
      {{2, 28, 28, 32}, {3, 3, 32, 1}, {{1, 1}, {1, 1}, Padding2D::same(), 1}}, rng);
  expect_depthwise_kernels_match(
      {{2, 13, 14, 48}, {3, 3, 48, 1}, {{1, 2}, {1, 1}, Padding2D::same(), 1}}, rng);
  expect_depthwise_kernels_match(
      {{2, 15, 15, 72}, {3, 3, 72, 1}, {{2, 2}, {1, 1}, Padding2D::same(), 1}}, rng);
  expect_depthwise_kernels_match(
      {{3, 17, 12, 19}, {3, 2, 19, 2}, {{2, 1}, {2, 3}, Padding2D::explicit_pads(1, 0, 2, 1), 1}},
      rng);
}

TEST(DepthwiseBackwardKernels, DeterministicBits) {
  Rng rng(33);
  const Conv2DGeometry g = Conv2DGeometry::make_depthwise(Shape{3, 24, 24, 24}, Shape{3, 3, 24, 2},
                                                          {{2, 2}, {1, 1}, Padding2D::same(), 1});
  ASSERT_GE(g.macs(), kDepthwiseParallelMacs);  // big enough to go parallel
  const Tensor x = random(g.input_shape(), rng), w = random(g.filter_shape(), rng);
  const Tensor dy = random(g.output_shape(), rng);
  const int threads = omp_get_max_threads();
  const auto same_bits = [](const Tensor& a, const Tensor& b) {
    return std::equal(a.values().begin(), a.values().end(), b.values().begin());
  };
  int compared = 0;
  for (const auto& k : conv2d_backward_input_kernels()) {
    if (!is_depthwise_kernel(k.name) || !k.supports(g)) continue;
    omp_set_num_threads(1);
    const Tensor one = run_input(k, g, dy, w);
    omp_set_num_threads(2);
    EXPECT_TRUE(same_bits(one, run_input(k, g, dy, w))) << k.name;
    ++compared;
  }
  for (const auto& k : conv2d_backward_filter_kernels()) {
    if (!is_depthwise_kernel(k.name) || !k.supports(g)) continue;
    omp_set_num_threads(2);
    const Tensor two = run_filter(k, g, x, dy);
    EXPECT_TRUE(same_bits(two, run_filter(k, g, x, dy))) << k.name;
    ++compared;
  }
  omp_set_num_threads(threads);
  EXPECT_GE(compared, 2);
}

TEST(DepthwiseBackwardKernels, ChosenForDepthwiseGeometries) {
  for (const std::int64_t m : {1, 2, 5}) {
    const Conv2DGeometry dw =
        Conv2DGeometry::make_depthwise(Shape{1, 5, 5, 4}, Shape{3, 3, 4, m}, {});
    EXPECT_TRUE(is_depthwise_kernel(select_conv2d_backward_input_kernel(dw, {}).name)) << m;
    EXPECT_TRUE(is_depthwise_kernel(select_conv2d_backward_filter_kernel(dw, {}).name)) << m;
  }
  // Two input channels per group is not depthwise.
  const Conv2DGeometry grouped = Conv2DGeometry::make(Shape{1, 5, 5, 4}, Shape{3, 3, 2, 8},
                                                      {{1, 1}, {1, 1}, Padding2D::same(), 2});
  EXPECT_FALSE(is_depthwise_kernel(select_conv2d_backward_input_kernel(grouped, {}).name));
  EXPECT_THROW(select_conv2d_backward_filter_kernel(grouped, "depthwise_generic"), InvalidArgument);
}

}  // namespace
}  // namespace strider::kernels
