// Every Conv2D backward kernel in the lists that this CPU can run, against the reference, over a
// random sweep of the geometries that break kernels (odd and even extents, strides 1-4 also
// larger than the kernel, unequal strides, dilation, VALID/SAME/explicit padding, groups, batch
// 1-3, channel counts that are no multiple of a vector), plus shapes large enough to take several
// column-matrix steps and both threads. Tolerance: 1e-4 relative to the sum of |products|. The
// bits must not depend on the thread count.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "kernels/conv2d/conv2d_direct.hpp"
#include "kernels/conv2d_backward/conv2d_backward_kernel.hpp"
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

struct Config {
  Shape input, filter;
  Conv2DParams params;
  std::string describe() const {
    return fmt::format("input {} filter {} strides ({},{}) dilation ({},{}) padding {} groups {}",
                       format_shape(input), format_shape(filter), params.strides.h,
                       params.strides.w, params.dilation.h, params.dilation.w,
                       params.padding.to_string(), params.groups);
  }
};

Config draw(Rng& rng) {
  while (true) {
    Config c;
    const std::int64_t groups = pick(rng, 0, 3) == 0 ? pick(rng, 2, 3) : 1;
    const std::int64_t cg = pick(rng, 1, 9), fg = pick(rng, 1, 40);
    const std::int64_t kh = pick(rng, 1, 4), kw = pick(rng, 1, 4);
    c.input = {pick(rng, 1, 3), pick(rng, 1, 13), pick(rng, 1, 13), cg * groups};
    c.filter = {kh, kw, cg, fg * groups};
    c.params.strides = {pick(rng, 1, 4), pick(rng, 1, 4)};
    c.params.dilation = {pick(rng, 0, 3) == 0 ? pick(rng, 2, 3) : 1,
                         pick(rng, 0, 3) == 0 ? pick(rng, 2, 3) : 1};
    c.params.groups = groups;
    switch (pick(rng, 0, 2)) {
      case 0:
        c.params.padding = Padding2D::valid();
        break;
      case 1:
        c.params.padding = Padding2D::same();
        break;
      default:
        c.params.padding = Padding2D::explicit_pads(pick(rng, 0, 2), pick(rng, 0, 2),
                                                    pick(rng, 0, 2), pick(rng, 0, 2));
    }
    try {
      Conv2DGeometry::make(c.input, c.filter, c.params);
      return c;
    } catch (const Error&) {
    }
  }
}

void expect_close(const std::string& what, const Tensor& got, const Tensor& want,
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
}

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

void expect_all_kernels_match(const Config& c, Rng& rng) {
  SCOPED_TRACE(c.describe());
  const Conv2DGeometry g = Conv2DGeometry::make(c.input, c.filter, c.params);
  const Tensor x = random(c.input, rng), w = random(c.filter, rng);
  const Tensor dy = random(g.output_shape(), rng);
  const auto& ref_in = conv2d_backward_input_kernels().back();
  const auto& ref_filter = conv2d_backward_filter_kernels().back();
  ASSERT_EQ(ref_in.name, "reference");
  ASSERT_EQ(ref_filter.name, "reference");
  const Tensor want_dx = run_input(ref_in, g, dy, w);
  const Tensor want_dw = run_filter(ref_filter, g, x, dy);
  const Tensor scale_dx = run_input(ref_in, g, absolute(dy), absolute(w));
  const Tensor scale_dw = run_filter(ref_filter, g, absolute(x), absolute(dy));
  for (const auto& k : conv2d_backward_input_kernels()) {
    if (k.supports(g)) expect_close(std::string(k.name), run_input(k, g, dy, w), want_dx, scale_dx);
  }
  for (const auto& k : conv2d_backward_filter_kernels()) {
    if (k.supports(g)) {
      expect_close(std::string(k.name), run_filter(k, g, x, dy), want_dw, scale_dw);
    }
  }
}

TEST(Conv2DBackwardKernels, MatchTheReferenceOverRandomGeometries) {
  Rng rng(2026);
  for (int i = 0; i < 100; ++i) expect_all_kernels_match(draw(rng), rng);
}

// The same with 8-40 channels per group, where the direct input gradient runs (several channel
// tiles, partial last vectors).
TEST(Conv2DBackwardKernels, MatchTheReferenceWithManyChannelsPerGroup) {
  Rng rng(2027);
  for (int i = 0; i < 60; ++i) {
    Config c = draw(rng);
    const std::int64_t cg = pick(rng, 8, 40);
    c.input[3] = cg * c.params.groups;
    c.filter[2] = cg;
    c.filter[3] = std::min<std::int64_t>(c.filter[3], 12 * c.params.groups);
    expect_all_kernels_match(c, rng);
  }
}

// One group, dense columns and 16-64 channels: the column-matrix filter gradient reads the
// windows' kernel rows in place (zero rows for height taps in the padding, gathered rows where a
// width tap is), over SAME, VALID and explicit borders, strides 1-4 and height dilation.
TEST(Conv2DBackwardKernels, MatchTheReferenceWhereTheFilterGradientReadsTheInputInPlace) {
  Rng rng(2028);
  for (int i = 0; i < 40; ++i) {
    Config c = draw(rng);
    const std::int64_t cg = 16 * pick(rng, 1, 4);
    c.params.groups = 1;
    c.params.dilation.w = 1;
    c.input[3] = cg;
    c.filter = {c.filter[0], pick(rng, 1, 3), cg, pick(rng, 4, 40)};
    try {
      Conv2DGeometry::make(c.input, c.filter, c.params);
    } catch (const Error&) {
      continue;
    }
    expect_all_kernels_match(c, rng);
  }
}

// Explicit padding far beyond the input (2^61 columns, a stride of 2^59: the last windows read
// padding only). The few-channel filter gradient, which copies the windows' whole padded extent,
// leaves it to the column matrices; every kernel that takes it matches the reference. And the
// reference input gradient of an empty batch writes nothing, whatever one image's size.
TEST(Conv2DBackwardKernels, PaddingFarBeyondTheInputAndEmptyBatches) {
  Rng rng(9);
  const Config far{{1, 5, 5, 1},
                   {3, 3, 1, 8},
                   {{1, std::int64_t{1} << 59},
                    {1, 1},
                    Padding2D::explicit_pads(1, 1, 0, std::int64_t{1} << 61),
                    1}};
  const Conv2DGeometry g = Conv2DGeometry::make(far.input, far.filter, far.params);
  EXPECT_NE(select_conv2d_backward_filter_kernel(g, {}).name.substr(0, 4), "rows");
  expect_all_kernels_match(far, rng);
  const Conv2DGeometry empty =
      Conv2DGeometry::make(Shape{0, 5, std::int64_t{1} << 61, 4}, Shape{3, 3, 4, 8},
                           {{1, 1}, {1, 1}, Padding2D::same(), 1});
  const auto& reference = conv2d_backward_input_kernels().back();
  reference.run({empty, nullptr, nullptr, nullptr});  // nothing to read or write
}

// A dilation far beyond a small input makes the windows' extent (the few-channel kernel's padded
// copy) many times the input: 7 GB for a 3x3 image (the geometry fuzzer). The column matrices
// take it.
TEST(Conv2DBackwardKernels, DilationFarBeyondTheInputLeavesTheFewChannelKernel) {
  Rng rng(10);
  const Config far{{2, 3, 3, 1}, {3, 3, 1, 8}, {{1, 1}, {4000, 4000}, Padding2D::same(), 1}};
  const Conv2DGeometry g = Conv2DGeometry::make(far.input, far.filter, far.params);
  EXPECT_NE(select_conv2d_backward_filter_kernel(g, {}).name.substr(0, 4), "rows");
  expect_all_kernels_match(far, rng);
  const Config near{{2, 28, 28, 1}, {3, 3, 1, 8}, {{1, 1}, {2, 2}, Padding2D::same(), 1}};
  EXPECT_EQ(select_conv2d_backward_filter_kernel(
                Conv2DGeometry::make(near.input, near.filter, near.params), {})
                .name.substr(0, 4),
            "rows");
}

// Problems without products: every kernel writes zero gradients (a ReLU fold's image sums too)
// and reads nothing, though an empty batch's image may be 2^61 columns wide, or the output 2^32.
TEST(Conv2DBackwardKernels, ProblemsWithoutProductsHaveZeroGradients) {
  const Conv2DParams same{{1, 1}, {1, 1}, Padding2D::same(), 1};
  const Conv2DGeometry wide =
      Conv2DGeometry::make(Shape{0, 5, std::int64_t{1} << 61, 16}, Shape{3, 3, 16, 8}, same);
  const Conv2DGeometry wide_depthwise = Conv2DGeometry::make_depthwise(
      Shape{0, 5, std::int64_t{1} << 61, 16}, Shape{3, 3, 16, 1}, same);
  // An image of no rows, padded to one: 2^32 output columns whose windows read padding only.
  const Conv2DGeometry no_rows_wide =
      Conv2DGeometry::make(Shape{1, 0, std::int64_t{1} << 32, 16}, Shape{1, 1, 16, 8},
                           {{1, 1}, {1, 1}, Padding2D::explicit_pads(1, 0, 0, 0), 1});
  ASSERT_NE(no_rows_wide.macs(), 0);
  for (const Conv2DGeometry* g : {&wide, &wide_depthwise, &no_rows_wide}) {
    for (const auto& k : conv2d_backward_input_kernels()) {
      if (k.supports(*g)) k.run({*g, nullptr, nullptr, nullptr});
    }
    std::vector<float> dw(static_cast<std::size_t>(shape_size(g->filter_shape())), 1.0f);
    for (const auto& k : conv2d_backward_filter_kernels()) {
      if (!k.supports(*g)) continue;
      k.run({*g, nullptr, nullptr, dw.data()});
      EXPECT_EQ(dw, std::vector<float>(dw.size(), 0.0f)) << k.name;
    }
  }
  // Images of no rows: nothing to write but the ReLU fold's image sums, which are zero.
  const Conv2DGeometry no_rows = Conv2DGeometry::make(Shape{2, 0, 5, 16}, Shape{3, 3, 16, 8}, same);
  ASSERT_EQ(no_rows.macs(), 0);
  const Tensor w(no_rows.filter_shape()), relu_output(no_rows.input_shape());
  for (const auto& k : conv2d_backward_input_kernels()) {
    if (!k.supports(no_rows)) continue;
    Tensor dx(no_rows.input_shape());
    for (float& v : dx.values()) v = 1.0f;
    std::vector<double> sums(2 * 16, 1.0);
    const ReluFold fold{relu_output.data(), sums.data()};
    k.run({no_rows, nullptr, w.data(), dx.data(), &fold});
    EXPECT_EQ(std::vector<float>(dx.values().begin(), dx.values().end()),
              std::vector<float>(static_cast<std::size_t>(dx.size()), 0.0f))
        << k.name;
    EXPECT_EQ(sums, std::vector<double>(sums.size(), 0.0)) << k.name;
  }
}

TEST(Conv2DBackwardKernels, MatchTheReferenceOnShapesThatTakeSeveralSteps) {
  Rng rng(7);
  // The Fashion-MNIST CNN's second layer at batch 2, and a grouped SAME layer with odd sizes.
  expect_all_kernels_match(
      {{2, 28, 28, 32}, {3, 3, 32, 64}, {{2, 2}, {1, 1}, Padding2D::same(), 1}}, rng);
  expect_all_kernels_match({{3, 13, 11, 12}, {3, 2, 6, 10}, {{1, 2}, {2, 1}, Padding2D::same(), 2}},
                           rng);
}

// The input gradient's bits do not depend on the thread count, nor do the column-matrix and
// few-channel filter gradients' (partials per row block, a number fixed by the shape); the
// depthwise filter gradient's are the same for the same thread count.
TEST(Conv2DBackwardKernels, DeterministicBits) {
  Rng rng(8);
  // A middle layer, and a first layer with 3 input channels (the few-channel filter gradient).
  // The third has several row blocks in the column-matrix filter gradient.
  for (const auto& [in, filter] : {std::pair{Shape{3, 14, 14, 16}, Shape{3, 3, 16, 24}},
                                   std::pair{Shape{3, 21, 19, 3}, Shape{3, 3, 3, 20}},
                                   std::pair{Shape{8, 28, 28, 16}, Shape{3, 3, 16, 24}}}) {
    const Conv2DGeometry g =
        Conv2DGeometry::make(in, filter, {{2, 1}, {1, 1}, Padding2D::same(), 1});
    SCOPED_TRACE(format_shape(in));
    ASSERT_GE(g.macs(), std::int64_t{1} << 18);  // big enough to go parallel
    const Tensor x = random(g.input_shape(), rng), w = random(g.filter_shape(), rng);
    const Tensor dy = random(g.output_shape(), rng);
    const int threads = omp_get_max_threads();
    const auto same_bits = [](const Tensor& a, const Tensor& b) {
      return std::equal(a.values().begin(), a.values().end(), b.values().begin());
    };
    for (const auto& k : conv2d_backward_input_kernels()) {
      if (!k.supports(g)) continue;
      omp_set_num_threads(1);
      const Tensor one = run_input(k, g, dy, w);
      omp_set_num_threads(2);
      EXPECT_TRUE(same_bits(one, run_input(k, g, dy, w))) << k.name;
    }
    for (const auto& k : conv2d_backward_filter_kernels()) {
      if (!k.supports(g)) continue;
      omp_set_num_threads(2);
      const Tensor two = run_filter(k, g, x, dy);
      EXPECT_TRUE(same_bits(two, run_filter(k, g, x, dy))) << k.name;
      if (k.name.starts_with("gemm") || k.name.starts_with("rows")) {
        omp_set_num_threads(1);
        EXPECT_TRUE(same_bits(two, run_filter(k, g, x, dy))) << k.name << ", 1 vs 2 threads";
      }
    }
    omp_set_num_threads(threads);
  }
}

// With a ReluFold every input kernel writes its gradient masked where the ReLU output is <= 0
// and each image's channel sums in pixel order: the same bits as a plain pass after the kernel.
TEST(Conv2DBackwardKernels, FoldTheReluIntoTheInputGradient) {
  Rng rng(9);
  for (int i = 0; i < 40; ++i) {
    const Config c =
        i == 0 ? Config{{2, 28, 28, 32}, {3, 3, 32, 64}, {{2, 2}, {1, 1}, Padding2D::same(), 1}}
               : draw(rng);
    SCOPED_TRACE(c.describe());
    const Conv2DGeometry g = Conv2DGeometry::make(c.input, c.filter, c.params);
    Tensor y = random(c.input, rng);
    for (float& v : y.values()) v = std::max(v, 0.0f);
    const Tensor w = random(c.filter, rng), dy = random(g.output_shape(), rng);
    const std::int64_t channels = c.input[3], pixels = c.input[1] * c.input[2];
    for (const auto& k : conv2d_backward_input_kernels()) {
      if (!k.supports(g)) continue;
      Tensor want = run_input(k, g, dy, w);
      std::vector<double> want_sums(static_cast<std::size_t>(g.batch * channels), 0.0);
      for (std::int64_t p = 0; p < g.batch * pixels; ++p) {
        for (std::int64_t ch = 0; ch < channels; ++ch) {
          float& v = want.data()[p * channels + ch];
          if (!(y.data()[p * channels + ch] > 0.0f)) v = 0.0f;
          want_sums[static_cast<std::size_t>((p / pixels) * channels + ch)] += v;
        }
      }
      Tensor got(g.input_shape());
      std::vector<double> got_sums(want_sums.size(), 7.0);  // overwritten
      const ReluFold fold{y.data(), got_sums.data()};
      k.run({g, dy.data(), w.data(), got.data(), &fold});
      EXPECT_TRUE(std::equal(got.values().begin(), got.values().end(), want.values().begin()))
          << k.name;
      EXPECT_EQ(got_sums, want_sums) << k.name;
    }
  }
}

TEST(Conv2DBackwardKernels, SelectionAndNames) {
  const Conv2DGeometry g = Conv2DGeometry::make(Shape{1, 5, 5, 2}, Shape{3, 3, 2, 8},
                                                {{1, 1}, {1, 1}, Padding2D::same(), 1});
  EXPECT_EQ(select_conv2d_backward_input_kernel(g, "reference").name, "reference");
  EXPECT_NE(select_conv2d_backward_filter_kernel(g, {}).name, "reference");
  // A first layer (3 input channels) takes the few-channel filter gradient where vectors are.
  const Conv2DGeometry first = Conv2DGeometry::make(Shape{1, 8, 8, 3}, Shape{3, 3, 3, 16},
                                                    {{1, 1}, {1, 1}, Padding2D::same(), 1});
  EXPECT_EQ(select_conv2d_backward_filter_kernel(first, {}).name.starts_with("rows_"),
            cpu_has_avx2() || cpu_has_avx512());
  EXPECT_THROW(select_conv2d_backward_filter_kernel(g, "nope"), InvalidArgument);
  // The training CNN's second and third layers gather their input gradients with AVX-512; past
  // 64 x 64 channels per group (a tap of 16 KiB) the column matrices take over.
  const Conv2DGeometry cnn = Conv2DGeometry::make(Shape{64, 28, 28, 32}, Shape{3, 3, 32, 64},
                                                  {{2, 2}, {1, 1}, Padding2D::same(), 1});
  const Conv2DGeometry third = Conv2DGeometry::make(Shape{64, 14, 14, 64}, Shape{3, 3, 64, 64},
                                                    {{2, 2}, {1, 1}, Padding2D::same(), 1});
  const Conv2DGeometry wide = Conv2DGeometry::make(Shape{8, 14, 14, 64}, Shape{3, 3, 64, 128},
                                                   {{2, 2}, {1, 1}, Padding2D::same(), 1});
  if (cpu_has_avx512()) {
    EXPECT_EQ(select_conv2d_backward_input_kernel(cnn, {}).name, "direct_avx512");
    EXPECT_EQ(select_conv2d_backward_input_kernel(third, {}).name, "direct_avx512");
    EXPECT_EQ(select_conv2d_backward_input_kernel(wide, {}).name, "gemm_avx512");
  }
  // Depthwise (one filter per group) goes to a depthwise kernel, never the column matrices.
  const Conv2DGeometry dw =
      Conv2DGeometry::make_depthwise(Shape{1, 5, 5, 4}, Shape{3, 3, 4, 1}, {});
  EXPECT_TRUE(select_conv2d_backward_input_kernel(dw, {}).name.starts_with("depthwise_"));
  EXPECT_THROW(select_conv2d_backward_input_kernel(dw, "gemm_generic"), InvalidArgument);
}

}  // namespace
}  // namespace strider::kernels
