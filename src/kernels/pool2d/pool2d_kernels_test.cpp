// Every pooling kernel in the list that this CPU can run, against the reference: max and average
// over a sweep of extents, pool sizes, strides (also larger than the pool), VALID/SAME, batch and
// channel counts that are not multiples of the vector width; and NaN propagation through max.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "kernels/pool2d/pool2d_kernel.hpp"
#include "strider/core/error.hpp"
#include "strider/core/random.hpp"
#include "strider/ops/pool2d.hpp"

namespace strider::kernels {
namespace {

TEST(Pool2DKernels, MatchTheReferenceOverARandomSweep) {
  Rng rng(3);
  auto pick = [&](std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(rng.uniform() * static_cast<double>(hi - lo + 1));
  };
  int checked = 0;
  while (checked < 300) {
    const Shape in{pick(1, 3), pick(1, 19), pick(1, 19), pick(1, 70)};
    Pool2DOptions o;
    o.params.pool_size = {pick(1, 4), pick(1, 4)};
    o.params.strides = Pair2D{pick(1, 5), pick(1, 5)};
    o.params.padding = pick(0, 1) == 0 ? Padding2D::valid() : Padding2D::same();
    Pool2DGeometry g;
    try {
      g = Pool2DGeometry::make(in, o.params);
    } catch (const Error&) {
      continue;
    }
    Tensor x(in);
    rng.fill_uniform(x.values(), -1, 1);
    if (checked % 10 == 0)
      x.data()[pick(0, x.size() - 1)] = std::numeric_limits<float>::quiet_NaN();
    for (PoolOp op : {PoolOp::kMax, PoolOp::kAvg}) {
      o.kernel = "reference";
      const Tensor want = pool2d(op, x, o);
      for (const Pool2DKernel& k : pool2d_kernels()) {
        if (!k.supports(g) || k.name == "reference") continue;
        o.kernel = k.name;
        const Tensor got = pool2d(op, x, o);
        ASSERT_EQ(got.shape(), want.shape());
        for (std::int64_t i = 0; i < got.size(); ++i) {
          const float a = got.data()[i], b = want.data()[i];
          ASSERT_TRUE((std::isnan(a) && std::isnan(b)) || std::fabs(a - b) <= 1e-6f)
              << k.name << " " << pool_op_name(op) << " element " << i << ": " << a << " vs " << b
              << " input " << format_shape(in) << " pool " << o.params.pool_size.h << ","
              << o.params.pool_size.w << " padding " << o.params.padding.to_string();
        }
      }
    }
    ++checked;
  }
}

TEST(Pool2DKernels, TheListEndsWithTheReference) {
  EXPECT_EQ(pool2d_kernels().back().name, "reference");
}

}  // namespace
}  // namespace strider::kernels
