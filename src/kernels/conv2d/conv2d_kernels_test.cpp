// Every Conv2D kernel in the list that this CPU can run, against the reference, over a sweep of
// the geometries that break kernels: odd and even extents, strides 1-4 (also larger than the
// kernel), kernel equal to the input, dilation, explicit and SAME padding, groups, batch 1-8, and
// channel counts that are not multiples of any vector width. Tolerance: 1e-4 relative to the sum
// of |products| behind each output.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>

#include "kernels/conv2d/conv2d_kernel.hpp"
#include "strider/core/error.hpp"
#include "strider/core/random.hpp"
#include "strider/ops/conv2d.hpp"

namespace strider::kernels {
namespace {

struct Config {
  Shape input, filter;
  Conv2DParams params;
  Activation activation;
  bool bias;
  std::string describe() const {
    return fmt::format(
        "input {} filter {} strides ({},{}) dilation ({},{}) padding {} groups {} "
        "{} bias {}",
        format_shape(input), format_shape(filter), params.strides.h, params.strides.w,
        params.dilation.h, params.dilation.w, params.padding.to_string(), params.groups,
        activation_name(activation), bias);
  }
};

// Draws a random configuration whose window fits.
Config draw(Rng& rng) {
  auto pick = [&](std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(rng.uniform() * static_cast<double>(hi - lo + 1));
  };
  while (true) {
    Config c;
    const std::int64_t groups = pick(0, 3) == 0 ? pick(2, 4) : 1;
    const std::int64_t cg = pick(1, 19), fg = pick(1, 40);
    const std::int64_t h = pick(1, 19), w = pick(1, 19), kh = pick(1, 5), kw = pick(1, 5);
    c.input = {pick(1, 8) > 6 ? pick(2, 8) : 1, h, w, cg * groups};
    c.filter = {kh, kw, cg, fg * groups};
    c.params.strides = {pick(1, 4), pick(1, 4)};
    c.params.dilation = {pick(0, 3) == 0 ? pick(2, 3) : 1, pick(0, 3) == 0 ? pick(2, 3) : 1};
    c.params.groups = groups;
    switch (pick(0, 2)) {
      case 0:
        c.params.padding = Padding2D::valid();
        break;
      case 1:
        c.params.padding = Padding2D::same();
        break;
      default:
        c.params.padding = Padding2D::explicit_pads(pick(0, 3), pick(0, 3), pick(0, 3), pick(0, 3));
    }
    c.activation = pick(0, 1) == 0 ? Activation::kRelu : Activation::kLinear;
    c.bias = pick(0, 3) != 0;
    try {
      Conv2DGeometry::make(c.input, c.filter, c.params);
      return c;
    } catch (const Error&) {
    }
  }
}

void expect_all_kernels_match(const Config& c, std::uint64_t seed) {
  Rng rng(seed);
  Tensor x(c.input), w(c.filter), b(Shape{c.filter[3]});
  rng.fill_uniform(x.values(), -1, 1);
  rng.fill_uniform(w.values(), -1, 1);
  rng.fill_uniform(b.values(), -1, 1);
  Conv2DOptions o{c.params, c.activation, "reference"};
  const Tensor want = conv2d(x, w, c.bias ? &b : nullptr, o);
  Tensor ax = x, aw = w, ab = b;
  for (Tensor* t : {&ax, &aw, &ab}) {
    for (float& v : t->values()) v = std::fabs(v);
  }
  Conv2DOptions so{c.params, Activation::kLinear, "reference"};
  const Tensor scale = conv2d(ax, aw, c.bias ? &ab : nullptr, so);
  const Conv2DGeometry g = Conv2DGeometry::make(c.input, c.filter, c.params);
  for (const Conv2DKernel& k : conv2d_kernels()) {
    if (!k.supports(g) || k.name == "reference") continue;
    o.kernel = k.name;
    const Tensor got = conv2d(x, w, c.bias ? &b : nullptr, o);
    ASSERT_EQ(got.shape(), want.shape()) << k.name << ": " << c.describe();
    if (k.schedule != nullptr) {
      // The schedule a plan keeps gives the same bits as the one a lone call builds.
      Tensor packed = Tensor::uninitialized(Shape{k.packed_size(g)});
      k.pack(g, w.data(), packed.data());
      const std::unique_ptr<Conv2DSchedule> schedule = k.schedule(g);
      Tensor kept = Tensor::uninitialized(got.shape());
      if (!kept.empty()) {
        k.run({g, x.data(), w.data(), packed.data(), c.bias ? b.data() : nullptr, kept.data(),
               c.activation, schedule.get()});
      }
      for (std::int64_t i = 0; i < got.size(); ++i) {
        ASSERT_EQ(kept.data()[i], got.data()[i])
            << k.name << " with a kept schedule, element " << i;
      }
    }
    for (std::int64_t i = 0; i < got.size(); ++i) {
      const double tol = 1e-4 * scale.data()[i] + 1e-6;
      if (!(std::fabs(got.data()[i] - want.data()[i]) <= tol)) {
        FAIL() << k.name << " element " << i << ": " << got.data()[i] << " vs reference "
               << want.data()[i] << " (tolerance " << tol << ") for " << c.describe();
      }
    }
  }
}

TEST(Conv2DKernels, MatchTheReferenceOverARandomSweep) {
  Rng rng(2026);
  for (int i = 0; i < 400; ++i) {
    const Config c = draw(rng);
    SCOPED_TRACE(c.describe());
    expect_all_kernels_match(c, static_cast<std::uint64_t>(i));
    if (HasFatalFailure()) return;
  }
}

TEST(Conv2DKernels, MatchTheReferenceOnNamedCorners) {
  const auto make = [](Shape in, Shape f, Pair2D s, Pair2D d, Padding2D p, std::int64_t groups) {
    return Config{in, f, {s, d, p, groups}, Activation::kRelu, true};
  };
  const Config corners[] = {
      make({1, 10, 10, 3}, {3, 3, 3, 32}, {1, 1}, {1, 1}, Padding2D::valid(), 1),  // tutorial
      make({1, 10, 10, 3}, {3, 3, 3, 32}, {2, 2}, {1, 1}, Padding2D::valid(), 1),
      make({1, 13, 14, 5}, {3, 3, 5, 17}, {2, 2}, {1, 1}, Padding2D::same(), 1),
      make({1, 14, 13, 5}, {3, 3, 5, 17}, {2, 2}, {1, 1}, Padding2D::same(), 1),
      make({2, 7, 7, 4}, {7, 7, 4, 9}, {1, 1}, {1, 1}, Padding2D::valid(), 1),    // kernel = input
      make({1, 9, 9, 6}, {1, 1, 6, 70}, {2, 2}, {1, 1}, Padding2D::valid(), 1),   // 1x1 strided
      make({1, 11, 11, 2}, {2, 2, 2, 8}, {4, 4}, {1, 1}, Padding2D::valid(), 1),  // stride > kernel
      make({3, 12, 12, 8}, {3, 3, 2, 12}, {1, 2}, {2, 1}, Padding2D::same(), 4),  // groups
      make({8, 5, 6, 1}, {3, 3, 1, 33}, {1, 1}, {1, 1}, Padding2D::same(), 1),    // one channel
      make({1, 1, 1, 1}, {1, 1, 1, 1}, {1, 1}, {1, 1}, Padding2D::valid(), 1),
      // 3x3 over one channel with F <= 32: the filter-stationary interior on AVX-512.
      make({4, 9, 10, 1}, {3, 3, 1, 32}, {1, 1}, {1, 1}, Padding2D::same(), 1),
      make({3, 8, 7, 1}, {3, 3, 1, 13}, {2, 2}, {1, 1}, Padding2D::same(), 1),
      make({2, 9, 9, 1}, {3, 3, 1, 16}, {1, 3}, {2, 1}, Padding2D::valid(), 1),
      make({1, 6, 7, 3}, {3, 1, 3, 20}, {1, 1}, {1, 1}, Padding2D::same(), 1),     // KW x C = 3
      make({2, 3, 3, 1}, {3, 3, 1, 7}, {1, 1}, {1, 1}, Padding2D::valid(), 1),     // one pixel
      make({32, 28, 28, 1}, {3, 3, 1, 32}, {1, 1}, {1, 1}, Padding2D::same(), 1),  // threads
      // Large enough (3.7M MACs) to run on threads, with several filter bands.
      make({2, 20, 20, 16}, {3, 3, 16, 40}, {1, 1}, {1, 1}, Padding2D::same(), 1),
      make({1, 30, 30, 64}, {3, 3, 64, 300}, {2, 2}, {1, 1}, Padding2D::same(), 1),
  };
  for (const Config& c : corners) expect_all_kernels_match(c, 1);
}

TEST(Conv2DKernels, PlanPacksOnceAndMatchesConv2D) {
  Rng rng(5);
  Tensor x({2, 9, 9, 5}), w({3, 3, 5, 20}), b(Shape{20});
  rng.fill_uniform(x.values(), -1, 1);
  rng.fill_uniform(w.values(), -1, 1);
  rng.fill_uniform(b.values(), -1, 1);
  Conv2DOptions o;
  o.params.strides = {2, 2};
  o.params.padding = Padding2D::same();
  const Conv2DPlan plan(w, &b, o);
  const Tensor want = conv2d(x, w, &b, o);
  for (int i = 0; i < 2; ++i) {
    const Tensor got = plan.run(x);
    ASSERT_EQ(got.shape(), want.shape());
    for (std::int64_t j = 0; j < got.size(); ++j) EXPECT_EQ(got.data()[j], want.data()[j]);
  }
  EXPECT_EQ(plan.run(Tensor({1, 4, 4, 5})).shape(), (Shape{1, 2, 2, 20}));  // another size
}

// A plan keeps the set-up of the last input shape: inputs of changing shapes through one plan,
// and the run() that writes into a given tensor, give conv2d's numbers.
TEST(Conv2DKernels, PlanKeepsTheLastShapeAndWritesIntoAGivenOutput) {
  Rng rng(6);
  Tensor w({3, 3, 4, 19}), b(Shape{19});
  rng.fill_uniform(w.values(), -1, 1);
  rng.fill_uniform(b.values(), -1, 1);
  Conv2DOptions o;
  o.params.strides = {2, 1};
  o.params.padding = Padding2D::same();
  o.activation = Activation::kRelu;
  const Conv2DPlan plan(w, &b, o);
  const Shape shapes[] = {{1, 7, 9, 4}, {3, 7, 9, 4}, {1, 7, 9, 4}, {2, 12, 5, 4}, {2, 12, 5, 4}};
  for (const Shape& shape : shapes) {
    SCOPED_TRACE(format_shape(shape));
    Tensor x(shape);
    rng.fill_uniform(x.values(), -1, 1);
    const Tensor want = conv2d(x, w, &b, o);
    const Tensor got = plan.run(x);
    Tensor into = Tensor::uninitialized(want.shape());
    plan.run(x, into);
    ASSERT_EQ(got.shape(), want.shape());
    for (std::int64_t j = 0; j < want.size(); ++j) {
      ASSERT_EQ(got.data()[j], want.data()[j]) << j;
      ASSERT_EQ(into.data()[j], want.data()[j]) << j;
    }
  }
}

TEST(Conv2DKernels, PlanRefusesAnOutputOfTheWrongShapeOrTheInputItself) {
  Tensor w({1, 1, 4, 4});
  const Conv2DPlan plan(w, nullptr);
  Tensor x({1, 3, 3, 4});
  Tensor wrong({1, 3, 3, 5});
  try {
    plan.run(x, wrong);
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("output must have shape (1, 3, 3, 4)"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(plan.run(x, x), InvalidArgument);
  EXPECT_THROW(plan.run(Tensor({1, 3, 3, 5}), wrong), ShapeError);  // a bad input still throws
}

TEST(Conv2DKernels, TheListEndsWithTheReference) {
  ASSERT_FALSE(conv2d_kernels().empty());
  EXPECT_EQ(conv2d_kernels().back().name, "reference");
}

}  // namespace
}  // namespace strider::kernels
