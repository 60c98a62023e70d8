// TensorFlow's own numbers for every op, committed under tests/conformance/fixtures/<op>/ by the
// oracle scripts (tests/conformance/conv2d_tf.py, stride_family_tf.py), checked here without
// Python: |strider - tf| <= 1e-5 * sum|terms| + 1e-6 at every element.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "conformance_cases.hpp"

namespace strider {
namespace {

class TensorFlowFixtures : public ::testing::TestWithParam<std::string> {};

TEST_P(TensorFlowFixtures, Match) {
  const std::string op = GetParam();
  const std::filesystem::path root =
      std::filesystem::path(STRIDER_SOURCE_DIR) / "tests/conformance/fixtures" / op;
  const auto cases = conformance::list_cases(root);
  ASSERT_GE(cases.size(), 20u) << "fixtures missing under " << root;
  for (const auto& dir : cases) {
    const auto r = conformance::check_case(op, conformance::load_case(dir));
    EXPECT_TRUE(r.ok) << r.message;
  }
}

INSTANTIATE_TEST_SUITE_P(Ops, TensorFlowFixtures,
                         ::testing::Values("conv2d", "max_pool", "avg_pool", "conv_transpose",
                                           "depthwise", "separable", "conv1d"));

}  // namespace
}  // namespace strider
