// Conv2DPlan::run() is documented thread-safe: several threads share one plan, each packing on
// first use and running the OpenMP kernels. Built with ThreadSanitizer (preset tsan) this is the
// check that the packed-filter cache and the kernels' threads do not race.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "strider/core/random.hpp"
#include "strider/ops/conv2d.hpp"

namespace strider {
namespace {

Tensor random_tensor(Shape shape, std::uint64_t seed) {
  Rng rng(seed);
  Tensor t(std::move(shape));
  rng.fill_uniform(t.values(), -1, 1);
  return t;
}

TEST(Conv2DPlanThreads, ConcurrentRunsShareOnePlanAndMatchTheReference) {
  const Tensor filter = random_tensor({3, 3, 16, 32}, 1), bias = random_tensor({32}, 2);
  Conv2DOptions options;
  options.params.strides = {2, 2};
  options.params.padding = Padding2D::same();
  const Conv2DPlan plan(filter, &bias, options);
  // Large enough (2.7M MACs per call) for the kernels to go parallel inside each thread.
  const Tensor input = random_tensor({1, 48, 48, 16}, 3);
  Conv2DOptions reference = options;
  reference.kernel = "reference";
  const Tensor want = conv2d(input, filter, &bias, reference);

  std::vector<Tensor> got(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < got.size(); ++t) {
    threads.emplace_back([&, t] { got[t] = plan.run(input); });
  }
  for (std::thread& t : threads) t.join();
  for (const Tensor& g : got) {
    ASSERT_EQ(g.shape(), want.shape());
    for (std::int64_t i = 0; i < g.size(); ++i) {
      ASSERT_NEAR(g.data()[i], want.data()[i], 1e-4f) << i;
    }
  }
}

}  // namespace
}  // namespace strider
