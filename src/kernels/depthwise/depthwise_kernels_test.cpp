// Every depthwise kernel in the list that this CPU can run, against the reference, over a sweep:
// odd and even extents, unequal strides 1-4, dilation, SAME/VALID/explicit padding, batch 1-3,
// multipliers 1-3 and channel counts that are not multiples of the vector width.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/depthwise/depthwise_kernel.hpp"
#include "strider/core/error.hpp"
#include "strider/core/random.hpp"
#include "strider/ops/depthwise_conv2d.hpp"

namespace strider::kernels {
namespace {

TEST(DepthwiseKernels, MatchTheReferenceOverARandomSweep) {
  Rng rng(11);
  auto pick = [&](std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(rng.uniform() * static_cast<double>(hi - lo + 1));
  };
  int checked = 0;
  while (checked < 300) {
    // Every tenth case is large enough to run on threads.
    const std::int64_t big = checked % 10 == 0 ? 3 : 1;
    // A quarter of the cases have 71-130 channels: the AVX-512 passes of 5 and 6 vectors.
    const std::int64_t channels = pick(0, 3) == 0 ? pick(71, 130) : pick(1, 70);
    const Shape in{pick(1, 3), big * pick(1, 17), big * pick(1, 17), channels};
    const Shape f{pick(1, 5), pick(1, 5), in[3], pick(0, 2) == 0 ? pick(2, 3) : 1};
    DepthwiseConv2DOptions o;
    o.strides = {pick(1, 4), pick(1, 4)};
    o.dilation = {pick(1, 2), pick(1, 2)};
    const std::int64_t mode = pick(0, 2);
    o.padding = mode == 0 ? Padding2D::valid()
                : mode == 1
                    ? Padding2D::same()
                    : Padding2D::explicit_pads(pick(0, 2), pick(0, 2), pick(0, 2), pick(0, 2));
    o.activation = pick(0, 1) == 0 ? Activation::kRelu : Activation::kLinear;
    Conv2DGeometry g;
    try {
      g = Conv2DGeometry::make_depthwise(in, f, {o.strides, o.dilation, o.padding, 1});
    } catch (const Error&) {
      continue;
    }
    Tensor x(in), w(f), b(Shape{in[3] * f[3]});
    for (Tensor* t : {&x, &w, &b}) rng.fill_uniform(t->values(), -1, 1);
    o.kernel = "reference";
    const Tensor want = depthwise_conv2d(x, w, &b, o);
    for (const DepthwiseKernel& k : depthwise_kernels()) {
      if (!k.supports(g) || k.name == "reference") continue;
      o.kernel = k.name;
      const Tensor got = depthwise_conv2d(x, w, &b, o);
      ASSERT_EQ(got.shape(), want.shape());
      for (std::int64_t i = 0; i < got.size(); ++i) {
        // At most 25 products of |x|, |w| <= 1 plus a bias: 1e-4 relative to 26 bounds it.
        ASSERT_NEAR(got.data()[i], want.data()[i], 1e-4 * 26)
            << k.name << " input " << format_shape(in) << " filter " << format_shape(f)
            << " strides " << o.strides.h << "," << o.strides.w << " dilation " << o.dilation.h
            << "," << o.dilation.w << " padding " << o.padding.to_string();
      }
    }
    ++checked;
  }
}

// Explicit padding of 2^61 columns with a stride of 2^59: five columns, the last four (one run of
// pixels) entirely in the padding. Their pointer step, stride x channels, overflowed (the geometry
// fuzzer; UBSan in the sanitizer build) before it was asked for only where pixels read input.
TEST(DepthwiseKernels, ColumnsFarApartInThePaddingOnlyReadNothing) {
  DepthwiseConv2DOptions o;
  o.strides = {1, std::int64_t{1} << 59};
  o.dilation = {1, 3};
  o.padding = Padding2D::explicit_pads(1, 1, 2, std::int64_t{1} << 61);
  for (const std::int64_t multiplier : {1, 3}) {
    Rng rng(5);
    Tensor x(Shape{1, 6, 5, 16}), w(Shape{3, 3, 16, multiplier}), b(Shape{16 * multiplier});
    for (Tensor* t : {&x, &w, &b}) rng.fill_uniform(t->values(), -1, 1);
    o.kernel = "reference";
    const Tensor want = depthwise_conv2d(x, w, &b, o);
    ASSERT_EQ(want.shape(), (Shape{1, 6, 5, 16 * multiplier}));
    const Conv2DGeometry g =
        Conv2DGeometry::make_depthwise(x.shape(), w.shape(), {o.strides, o.dilation, o.padding, 1});
    for (const DepthwiseKernel& k : depthwise_kernels()) {
      if (!k.supports(g) || k.name == "reference") continue;
      o.kernel = k.name;
      const Tensor got = depthwise_conv2d(x, w, &b, o);
      for (std::int64_t i = 0; i < got.size(); ++i) {
        ASSERT_NEAR(got.data()[i], want.data()[i], 1e-4 * 10) << k.name << " at " << i;
      }
    }
  }
}

TEST(DepthwiseKernels, AMultiplierAboveOneRunsWidenedWhereTheCpuHasVectors) {
  const Conv2DGeometry g = Conv2DGeometry::make_depthwise(Shape{1, 6, 6, 5}, Shape{3, 3, 5, 2}, {});
  const std::string_view name = select_depthwise_kernel(g, {}).name;
  if (cpu_has_avx512()) {
    EXPECT_EQ(name, "widened_avx512");
  } else if (cpu_has_avx2()) {
    EXPECT_EQ(name, "widened_avx2");
  } else {
    EXPECT_EQ(name, "grouped_conv2d");
  }
}

TEST(DepthwiseKernels, TheListEndsWithTheReference) {
  EXPECT_EQ(depthwise_kernels().back().name, "reference");
}

}  // namespace
}  // namespace strider::kernels
