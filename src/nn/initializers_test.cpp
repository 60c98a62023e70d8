#include "strider/nn/initializers.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "nn/layer_test_util.hpp"
#include "strider/core/error.hpp"
#include "strider/core/random.hpp"
#include "strider/nn/conv2d_layer.hpp"

namespace strider::nn {
namespace {

TEST(Initializers, ComputeFansAsKeras) {
  // Keras 3: initializers.random_initializers.compute_fans.
  EXPECT_EQ(compute_fans(Shape{}), (Fans{1, 1}));
  EXPECT_EQ(compute_fans(Shape{5}), (Fans{5, 5}));
  EXPECT_EQ(compute_fans(Shape{3, 4}), (Fans{3, 4}));
  EXPECT_EQ(compute_fans(Shape{3, 5, 7}), (Fans{15, 21}));        // Conv1D [k, in, out]
  EXPECT_EQ(compute_fans(Shape{3, 3, 8, 16}), (Fans{72, 144}));   // Conv2D HWIO
  EXPECT_EQ(compute_fans(Shape{3, 3, 16, 8}), (Fans{144, 72}));   // Conv2DTranspose
  EXPECT_EQ(compute_fans(Shape{1, 1, 16, 32}), (Fans{16, 32}));   // pointwise
  EXPECT_EQ(compute_fans(Shape{2, 3, 3, 4, 5}), (Fans{72, 90}));  // Conv3D-like
  EXPECT_THROW(compute_fans(Shape{3, -1, 2}), ShapeError);
}

TEST(Initializers, GlorotUniformLimit) {
  EXPECT_DOUBLE_EQ(glorot_uniform_limit(Shape{3, 3, 3, 32}), std::sqrt(6.0 / (27.0 + 288.0)));
  EXPECT_DOUBLE_EQ(glorot_uniform_limit(Shape{3, 4}), std::sqrt(6.0 / 7.0));
  // Keras divides by max(1, (fan_in + fan_out) / 2): small fans give sqrt(3).
  EXPECT_DOUBLE_EQ(glorot_uniform_limit(Shape{1}), std::sqrt(3.0));
  EXPECT_DOUBLE_EQ(glorot_uniform_limit(Shape{0}), std::sqrt(3.0));
}

TEST(Initializers, GlorotUniformIsSeededAndBounded) {
  const Shape shape{3, 3, 8, 16};
  const Tensor a = glorot_uniform(shape, 42);
  ASSERT_EQ(a.shape(), shape);
  testing::expect_identical(glorot_uniform(shape, 42), a);
  testing::expect_glorot_bounded(a, std::sqrt(6.0 / (72.0 + 144.0)));
  // Drawn in C order from Rng(seed): the stream is Strider's, identical on every platform.
  Tensor direct(shape);
  const double limit = glorot_uniform_limit(shape);
  Rng(42).fill_uniform(direct.values(), -limit, limit);
  testing::expect_identical(a, direct);
  EXPECT_NE(glorot_uniform(shape, 43).data()[0], a.data()[0]);
  EXPECT_TRUE(glorot_uniform(Shape{0, 3}, 1).empty());
}

TEST(Initializers, Conv2DDrawsItsFilterFromGlorotUniform) {
  Conv2DConfig config;
  config.filters = 4;
  config.kernel_size = {3, 2};
  config.seed = 9;
  Conv2D layer(config);
  layer.build(5);
  testing::expect_identical(layer.filter(), glorot_uniform({3, 2, 5, 4}, 9));
}

}  // namespace
}  // namespace strider::nn
