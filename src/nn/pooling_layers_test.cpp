#include "strider/nn/pooling_layers.hpp"

#include <gtest/gtest.h>

#include "nn/layer_test_util.hpp"
#include "strider/core/error.hpp"

namespace strider::nn {
namespace {

using testing::expect_error;
using testing::expect_identical;
using testing::random_tensor;

TEST(PoolingLayers, KerasDefaults) {
  const MaxPooling2D max_pool;
  EXPECT_EQ(max_pool.config().pool_size, (Pair2D{2, 2}));
  EXPECT_FALSE(max_pool.config().strides.has_value());
  EXPECT_EQ(max_pool.config().padding.kind, PaddingKind::kValid);
  EXPECT_EQ(max_pool.op(), PoolOp::kMax);
  EXPECT_EQ(max_pool.name(), "MaxPooling2D");
  EXPECT_EQ(max_pool.param_count(), 0);
  const AveragePooling2D avg_pool;
  EXPECT_EQ(avg_pool.op(), PoolOp::kAvg);
  EXPECT_EQ(avg_pool.config().pool_size, (Pair2D{2, 2}));
  EXPECT_EQ(avg_pool.param_count(), 0);
  EXPECT_EQ(GlobalAveragePooling2D().param_count(), 0);
  EXPECT_EQ(GlobalMaxPooling2D().name(), "GlobalMaxPooling2D");
}

TEST(PoolingLayers, OutputShapes) {
  // Keras 3: MaxPooling2D().compute_output_shape((1, 7, 7, 3)) and friends.
  EXPECT_EQ(MaxPooling2D().output_shape({1, 7, 7, 3}), (Shape{1, 3, 3, 3}));
  Pooling2DConfig same;
  same.padding = Padding2D::same();
  EXPECT_EQ(MaxPooling2D(same).output_shape({1, 7, 7, 3}), (Shape{1, 4, 4, 3}));
  Pooling2DConfig overlapping;
  overlapping.pool_size = {3, 3};
  overlapping.strides = Pair2D{2, 2};
  EXPECT_EQ(AveragePooling2D(overlapping).output_shape({1, 7, 7, 3}), (Shape{1, 3, 3, 3}));
  Pooling2DConfig tall;
  tall.pool_size = {3, 1};
  tall.strides = Pair2D{1, 2};
  tall.padding = Padding2D::same();
  EXPECT_EQ(AveragePooling2D(tall).output_shape({2, 5, 6, 4}), (Shape{2, 5, 3, 4}));
  EXPECT_EQ(GlobalAveragePooling2D().output_shape({2, 7, 7, 3}), (Shape{2, 3}));
  EXPECT_EQ(GlobalMaxPooling2D().output_shape({1, 1, 1, 8}), (Shape{1, 8}));
}

TEST(PoolingLayers, CallEqualsTheOp) {
  const Tensor x = random_tensor({2, 7, 6, 3}, 1);
  Pooling2DConfig config;
  config.pool_size = {3, 2};
  config.strides = Pair2D{2, 1};
  config.padding = Padding2D::same();
  const MaxPooling2D max_pool(config);
  const AveragePooling2D avg_pool(config);
  expect_identical(max_pool(x), max_pool2d(x, config));
  expect_identical(avg_pool(x), avg_pool2d(x, config));
  EXPECT_EQ(max_pool(x).shape(), max_pool.output_shape(x.shape()));
  expect_identical(GlobalMaxPooling2D()(x), global_max_pool2d(x));
  expect_identical(GlobalAveragePooling2D()(x), global_avg_pool2d(x));
  EXPECT_EQ(GlobalAveragePooling2D()(x).shape(), (Shape{2, 3}));
}

TEST(PoolingLayers, RejectsBadConfigAndShapes) {
  Pooling2DConfig c;
  c.pool_size = {0, 2};
  expect_error<InvalidArgument>([&] { MaxPooling2D{c}; },
                                "MaxPooling2D: pool_size[0] must be >= 1, got 0");
  c = {};
  c.strides = Pair2D{2, 0};
  expect_error<InvalidArgument>([&] { AveragePooling2D{c}; },
                                "AveragePooling2D: strides[1] must be >= 1, got 0");
  c = {};
  c.padding = Padding2D::explicit_pads(1, 1, 1, 1);
  expect_error<InvalidArgument>([&] { MaxPooling2D{c}; },
                                "MaxPooling2D: padding must be 'valid' or 'same', got '1,1,1,1'");
  EXPECT_THROW(MaxPooling2D().output_shape({1, 1, 5, 3}), ShapeError);  // VALID window too big
  EXPECT_THROW(MaxPooling2D().output_shape({7, 7, 3}), ShapeError);
  EXPECT_THROW(GlobalMaxPooling2D().output_shape({7, 7, 3}), ShapeError);
  EXPECT_THROW(GlobalAveragePooling2D().output_shape({1, 0, 7, 3}), ShapeError);
  EXPECT_THROW(GlobalAveragePooling2D().output_shape({1, -1, 7, 3}), ShapeError);
}

}  // namespace
}  // namespace strider::nn
