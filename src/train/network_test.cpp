// Network: gradients of every supported layer against central finite differences of the real loss,
// the loss itself, dropout masks, batch normalisation's statistics, initialisers, names, and the
// refusals.
#include "strider/train/network.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "strider/core/error.hpp"
#include "strider/core/random.hpp"
#include "strider/model/load.hpp"
#include "strider/model/spec.hpp"

namespace strider::train {
namespace {

Tensor random_tensor(Shape shape, std::uint64_t seed, double low = -1.0, double high = 1.0) {
  Tensor t(std::move(shape));
  Rng(seed).fill_uniform(t.values(), low, high);
  return t;
}

Network build(const std::string& spec, std::uint64_t seed = 7) {
  NetworkOptions options;
  options.seed = seed;
  return Network(model::parse_model_spec(spec), options);
}

// Mean softmax cross-entropy of the batch in training mode with a fixed noise key.
double loss_of(Network& net, const Tensor& x, const std::vector<std::int32_t>& labels) {
  const Tensor& logits = net.forward(x, true, 99);
  return softmax_cross_entropy(logits, labels, nullptr).loss_sum /
         static_cast<double>(labels.size());
}

// Every trainable parameter's gradient (a sample of up to 12 elements each) against central
// differences of the loss. Float32 forward passes: with h = 1e-3 the rounding error of the
// difference stays near 1e-4. Where a perturbation crosses a kink of ReLU or max (the one-sided
// differences disagree) the element is skipped; most must be checked.
void expect_gradients(const std::string& spec, const Shape& input, std::int64_t classes) {
  SCOPED_TRACE(spec);
  Network net = build(spec);
  Shape shape = input;
  shape.insert(shape.begin(), 3);
  const Tensor x = random_tensor(shape, 3);
  std::vector<std::int32_t> labels;
  for (std::int32_t i = 0; i < 3; ++i) labels.push_back(static_cast<std::int32_t>(i % classes));
  Tensor grad;
  softmax_cross_entropy(net.forward(x, true, 99), labels, &grad);
  net.backward(grad);
  const double mid = loss_of(net, x, labels);
  int checked = 0, skipped = 0;
  for (Parameter* p : net.parameters()) {
    if (!p->trainable) continue;
    const Tensor analytic = p->grad;
    const std::int64_t n = p->value.size();
    const std::int64_t step = std::max<std::int64_t>(1, n / 12);
    for (std::int64_t i = 0; i < n; i += step) {
      float& w = p->value.data()[i];
      const float saved = w;
      constexpr float kH = 1e-3f;
      w = saved + kH;
      const double up = loss_of(net, x, labels);
      w = saved - kH;
      const double down = loss_of(net, x, labels);
      w = saved;
      const double tolerance = 1e-3 + 1e-2 * std::abs((up - down) / (2.0 * kH));
      if (std::abs((up - mid) - (mid - down)) / kH > 2.0 * tolerance) {
        ++skipped;
        continue;
      }
      const double numeric = (up - down) / (2.0 * kH);
      EXPECT_NEAR(analytic.data()[i], numeric, tolerance) << p->name << "[" << i << "]";
      ++checked;
    }
  }
  EXPECT_GT(checked, 4 * skipped);
}

// Profiling times each layer's training forward and backward, counts the steps, and leaves
// inference out; the backward passes are the weight gradient and, where a layer below needs it,
// the input gradient.
TEST(NetworkProfile, TimesTrainingStepsOnly) {
  Network net = build("input(6,6,2); conv(3,3,strides=2); flatten; dense(4)");
  EXPECT_FALSE(net.profiling());
  const Tensor x = random_tensor({2, 6, 6, 2}, 1);
  const std::vector<std::int32_t> labels = {0, 3};
  net.set_profiling(true);
  for (int step = 0; step < 3; ++step) {
    Tensor grad;
    softmax_cross_entropy(net.forward(x, true), labels, &grad);
    net.backward(grad);
  }
  const auto times = net.layer_times();
  ASSERT_EQ(times.size(), 3u);
  EXPECT_EQ(times[0].name, "conv2d");
  EXPECT_EQ(times[2].name, "dense");
  EXPECT_EQ(net.profiled_steps(), 3);
  EXPECT_EQ(times[0].backward_passes, 1);  // the filter gradient; the input needs none
  EXPECT_EQ(times[1].backward_passes, 1);  // flatten passes the gradient on
  EXPECT_EQ(times[2].backward_passes, 2);  // the weight and the input gradient
  EXPECT_EQ(times[0].macs, 2 * 2 * 3 * 3 * 3 * 2);
  for (const auto& t : times) EXPECT_GT(t.forward_seconds + t.backward_seconds, 0.0) << t.name;
  const double before = times[0].forward_seconds;
  net.predict(x);  // inference: not counted
  EXPECT_EQ(net.layer_times()[0].forward_seconds, before);
  net.reset_layer_times();
  EXPECT_EQ(net.profiled_steps(), 0);
  EXPECT_EQ(net.layer_times()[0].forward_seconds, 0.0);
}

TEST(NetworkGradients, StridedConvFlattenDense) {
  expect_gradients(
      "input(7,7,2); conv(3,3,strides=2,padding=same,activation=tanh); flatten; "
      "dense(5,activation=sigmoid); dense(4)",
      {7, 7, 2}, 4);
}

TEST(NetworkGradients, DilatedGroupedValidConvAndStrideLargerThanKernel) {
  expect_gradients(
      "input(9,9,4); conv(4,3,dilation=2,groups=2,activation=tanh); "
      "conv(3,1,strides=3,activation=tanh); gap; dense(3)",
      {9, 9, 4}, 3);
}

TEST(NetworkGradients, DepthwiseAndSeparable) {
  expect_gradients(
      "input(7,7,3); dwconv(3,multiplier=2,padding=same,activation=tanh); "
      "sepconv(4,3,strides=2,activation=tanh); gap; dense(3)",
      {7, 7, 3}, 3);
}

TEST(NetworkGradients, TransposedConvAndPooling) {
  expect_gradients(
      "input(4,4,2); deconv(3,3,strides=2,padding=same,activation=tanh); "
      "avgpool(3,strides=2,padding=same); maxpool(2,strides=1); gmp; dense(3,activation=softmax)",
      {4, 4, 2}, 3);
}

TEST(NetworkGradients, BatchNormalizationInTraining) {
  expect_gradients("input(5,5,3); conv(4,3); bn; tanh; gap; dense(3)", {5, 5, 3}, 3);
}

TEST(NetworkGradients, DropoutWithAFixedMask) {
  expect_gradients("input(4,4,2); flatten; dense(8,activation=tanh); dropout(0.5); dense(3)",
                   {4, 4, 2}, 3);
}

TEST(NetworkGradients, ActivationLayers) {
  expect_gradients(
      "input(3,3,2); flatten; dense(6); sigmoid; dense(6); softmax; dense(6,activation=relu6); "
      "dense(6); relu; dense(3)",
      {3, 3, 2}, 3);
}

TEST(NetworkGradients, MoreKerasActivations) {
  expect_gradients(
      "input(3,3,2); flatten; dense(6,activation=leaky_relu); dense(6,activation=elu); "
      "dense(6,activation=selu); dense(6,activation=softplus); dense(6,activation=softsign); "
      "dense(6,activation=hard_sigmoid); dense(6,activation=exponential); dense(3)",
      {3, 3, 2}, 3);
}

TEST(NetworkGradients, ReluKeepsItsKinksOutOfReach) {
  // Random inputs put no pre-activation within h of 0 with overwhelming likelihood; the model is
  // small enough to check every element.
  expect_gradients("input(4,4,1); conv(3,2,activation=relu); flatten; dense(3)", {4, 4, 1}, 3);
}

// Each ReLU convolution here feeds one convolution, which folds the ReLU's backward and the bias
// gradient into its input gradient (Layer::fold_input_relu); the last ReLU feeds Flatten, which
// does not.
TEST(NetworkGradients, ReluFoldedIntoTheNextConvolution) {
  expect_gradients(
      "input(6,6,2); conv(4,3,padding=same,activation=relu); "
      "conv(5,3,strides=2,padding=same,activation=relu); conv(3,1,groups=1,activation=relu); "
      "flatten; dense(3)",
      {6, 6, 2}, 3);
}

TEST(NetworkGradients, AddConcatPadCropUpsample) {
  expect_gradients(
      "input(4,4,2); a: conv(3,3,padding=same,activation=tanh); b: conv(3,1,from=input_layer); "
      "s: add(a, b); c: concat(s, a); zeropad(1x2); crop(1); upsample(2); "
      "avgpool(2); gap; dense(3)",
      {4, 4, 2}, 3);
}

// A Flatten that is its input's one consumer takes the input's storage in forward and hands it
// back in backward (Network::lent_from_); one whose input feeds another layer too copies, and a
// model may end in one.
TEST(NetworkGradients, FlattenLendingAndItsExceptions) {
  expect_gradients(
      "input(4,4,2); a: conv(3,3,padding=same,activation=tanh); f: flatten; g: flatten(from=a); "
      "s: add(f, g); dense(3)",
      {4, 4, 2}, 3);
  expect_gradients("input(3,3,2); conv(4,2,activation=tanh); flatten", {3, 3, 2}, 3);
}

TEST(Network, FlattenGivesItsInputBackForBackwardAndTheNextStep) {
  Network net = build("input(4,4,2); conv(3,3,padding=same,activation=relu); flatten; dense(3)");
  const Tensor x = random_tensor({2, 4, 4, 2}, 5);
  const std::vector<std::int32_t> labels{0, 2};
  const Tensor inference = net.forward(x, false);
  Tensor grad;
  softmax_cross_entropy(net.forward(Tensor(x), true, 1), labels, &grad);
  net.backward(grad);
  std::vector<Tensor> first;
  for (Parameter* p : net.parameters()) first.push_back(p->grad);
  // The same step again: the same logits and the same gradients, bit for bit.
  const Tensor& logits = net.forward(x, true, 1);
  ASSERT_EQ(logits.shape(), inference.shape());
  for (std::int64_t i = 0; i < logits.size(); ++i) EXPECT_EQ(logits.data()[i], inference.data()[i]);
  net.backward(grad);
  for (std::size_t i = 0; i < first.size(); ++i) {
    const Tensor& again = net.parameters()[i]->grad;
    ASSERT_EQ(again.shape(), first[i].shape());
    for (std::int64_t j = 0; j < again.size(); ++j) EXPECT_EQ(again.data()[j], first[i].data()[j]);
  }
}

TEST(SoftmaxCrossEntropy, MatchesTheFormulaAndIsStable) {
  const Tensor logits({2, 3}, std::vector<float>{1.0f, 2.0f, 3.0f, 1000.0f, 0.0f, -1000.0f});
  const std::vector<std::int32_t> labels = {2, 1};
  Tensor grad;
  const LossResult r = softmax_cross_entropy(logits, labels, &grad);
  const double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  const double row0 = -std::log(std::exp(3.0) / z);
  const double row1 = 1000.0;  // -log softmax = 1000 + log(1 + e^-1000 + e^-2000)
  EXPECT_NEAR(r.loss_sum, row0 + row1, 1e-9);
  EXPECT_EQ(r.correct, 1);
  EXPECT_NEAR(grad.data()[0], std::exp(1.0) / z / 2.0, 1e-7);
  EXPECT_NEAR(grad.data()[2], (std::exp(3.0) / z - 1.0) / 2.0, 1e-7);
  EXPECT_NEAR(grad.data()[3], 0.5, 1e-7);
  EXPECT_NEAR(grad.data()[4], -0.5, 1e-7);
  EXPECT_TRUE(std::isfinite(grad.data()[5]));
}

TEST(SoftmaxCrossEntropy, RefusesBadLabelsAndShapes) {
  const Tensor logits({2, 3});
  EXPECT_THROW(softmax_cross_entropy(logits, std::vector<std::int32_t>{0, 3}, nullptr),
               InvalidArgument);
  EXPECT_THROW(softmax_cross_entropy(logits, std::vector<std::int32_t>{0, -1}, nullptr),
               InvalidArgument);
  EXPECT_THROW(softmax_cross_entropy(logits, std::vector<std::int32_t>{0}, nullptr), ShapeError);
  EXPECT_THROW(softmax_cross_entropy(Tensor({6}), std::vector<std::int32_t>{0}, nullptr),
               ShapeError);
}

TEST(Network, FinalSoftmaxIsLeftToTheLoss) {
  Network net = build("input(2,2,1); flatten; dense(3,activation=softmax)");
  EXPECT_TRUE(net.ends_in_softmax());
  const Tensor x = random_tensor({2, 2, 2, 1}, 1);
  const Tensor logits = net.forward(x, false);
  const Tensor p = net.predict(x);
  for (std::int64_t r = 0; r < 2; ++r) {
    double sum = 0.0, z = 0.0;
    for (std::int64_t j = 0; j < 3; ++j) z += std::exp(double{logits.data()[r * 3 + j]});
    for (std::int64_t j = 0; j < 3; ++j) {
      sum += p.data()[r * 3 + j];
      EXPECT_NEAR(p.data()[r * 3 + j], std::exp(double{logits.data()[r * 3 + j]}) / z, 1e-6);
    }
    EXPECT_NEAR(sum, 1.0, 1e-6);
  }
  EXPECT_FALSE(build("input(2,2,1); flatten; dense(3)").ends_in_softmax());
  EXPECT_TRUE(build("input(2,2,1); flatten; dense(3); softmax").ends_in_softmax());
}

TEST(Network, DropoutMaskIsAFunctionOfTheKey) {
  Network net = build("input(64,64,1); dropout(0.25)");
  const Tensor x = random_tensor({2, 64, 64, 1}, 5, 1.0, 2.0);
  const Tensor a = net.forward(x, true, 1);
  const Tensor b = net.forward(x, true, 1);
  const Tensor c = net.forward(x, true, 2);
  std::int64_t dropped = 0, differ = 0;
  for (std::int64_t i = 0; i < x.size(); ++i) {
    ASSERT_EQ(a.data()[i], b.data()[i]);
    if (a.data()[i] == 0.0f) {
      ++dropped;
    } else {
      ASSERT_FLOAT_EQ(a.data()[i], x.data()[i] / 0.75f);
    }
    differ += (a.data()[i] == 0.0f) != (c.data()[i] == 0.0f);
  }
  // 8192 units at rate 0.25: 2048 expected, sd 39.
  EXPECT_NEAR(static_cast<double>(dropped), 2048.0, 200.0);
  EXPECT_GT(differ, 1000);
  const Tensor inference = net.forward(x, false);
  for (std::int64_t i = 0; i < x.size(); ++i) ASSERT_EQ(inference.data()[i], x.data()[i]);
}

TEST(Network, BatchNormUsesBatchStatisticsThenMovingAverages) {
  Network net = build("input(1,1,2); b: bn");
  Tensor x({4, 1, 1, 2}, std::vector<float>{1, 10, 2, 20, 3, 30, 6, 40});
  const Tensor y = net.forward(x, true);
  // Channel 0: mean 3, biased variance 3.5.
  EXPECT_NEAR(y.data()[0], (1.0 - 3.0) / std::sqrt(3.5 + 1e-3), 1e-5);
  EXPECT_NEAR(net.find_parameter("b/moving_mean")->value.data()[0], 0.03, 1e-6);
  EXPECT_NEAR(net.find_parameter("b/moving_variance")->value.data()[0], 0.99 + 0.035, 1e-6);
  EXPECT_NEAR(net.find_parameter("b/moving_mean")->value.data()[1], 0.25, 1e-6);
  const Tensor inference = net.forward(x, false);
  EXPECT_NEAR(inference.data()[0], (1.0 - 0.03) / std::sqrt(1.025 + 1e-3), 1e-5);
  EXPECT_FALSE(net.find_parameter("b/moving_mean")->trainable);
  EXPECT_TRUE(net.find_parameter("b/gamma")->trainable);
}

TEST(Network, ParametersHaveKerasNamesAndShapes) {
  Network net = build(
      "input(8,8,3); conv(4,3); dwconv(3); sepconv(5,1); deconv(2,2); bn; flatten; dense(10)");
  std::vector<std::string> names;
  for (const Parameter* p : net.parameters()) names.push_back(p->name);
  EXPECT_EQ(names,
            (std::vector<std::string>{
                "conv2d/kernel", "conv2d/bias", "depthwise_conv2d/depthwise_kernel",
                "depthwise_conv2d/bias", "separable_conv2d/depthwise_kernel",
                "separable_conv2d/pointwise_kernel", "separable_conv2d/bias",
                "conv2d_transpose/kernel", "conv2d_transpose/bias", "batch_normalization/gamma",
                "batch_normalization/beta", "batch_normalization/moving_mean",
                "batch_normalization/moving_variance", "dense/kernel", "dense/bias"}));
  EXPECT_EQ(net.find_parameter("conv2d/kernel")->value.shape(), (Shape{3, 3, 3, 4}));
  EXPECT_EQ(net.find_parameter("conv2d_transpose/kernel")->value.shape(), (Shape{2, 2, 2, 5}));
  EXPECT_EQ(net.find_parameter("dense/kernel")->value.shape(), (Shape{5 * 5 * 2, 10}));
  std::int64_t count = 0;
  for (const Parameter* p : net.parameters()) count += p->value.size();
  EXPECT_EQ(count, net.resolved().params);
}

TEST(Network, SameSeedSameWeightsOtherSeedOthers) {
  const std::string spec = "input(8,8,1); conv(8,3); flatten; dense(4)";
  Network a = build(spec, 1), b = build(spec, 1), c = build(spec, 2);
  for (std::size_t i = 0; i < a.parameters().size(); ++i) {
    const Tensor& va = a.parameters()[i]->value;
    const Tensor& vb = b.parameters()[i]->value;
    ASSERT_EQ(std::vector<float>(va.values().begin(), va.values().end()),
              std::vector<float>(vb.values().begin(), vb.values().end()));
  }
  EXPECT_NE(a.parameters()[0]->value.data()[0], c.parameters()[0]->value.data()[0]);
  // Glorot bound of (3, 3, 1, 8): sqrt(6 / (9 + 72)); biases start at 0.
  for (const float v : a.parameters()[0]->value.values()) EXPECT_LE(std::abs(v), 0.2722f);
  for (const float v : a.parameters()[1]->value.values()) EXPECT_EQ(v, 0.0f);
}

TEST(Network, HeInitialisers) {
  NetworkOptions options;
  options.initializer = Initializer::kHeUniform;
  Network uniform(model::parse_model_spec("input(1,1,200); flatten; dense(100)"), options);
  double sum_sq = 0.0;
  const Tensor& u = uniform.parameters()[0]->value;
  for (const float v : u.values()) {
    EXPECT_LE(std::abs(v), std::sqrt(6.0 / 200.0));
    sum_sq += double{v} * v;
  }
  EXPECT_NEAR(sum_sq / static_cast<double>(u.size()), 2.0 / 200.0, 0.001);
  options.initializer = Initializer::kHeNormal;
  Network normal(model::parse_model_spec("input(1,1,200); flatten; dense(100)"), options);
  sum_sq = 0.0;
  const Tensor& w = normal.parameters()[0]->value;
  const double stddev = std::sqrt(2.0 / 200.0) / 0.87962566103423978;
  for (const float v : w.values()) {
    EXPECT_LE(std::abs(v), 2.0 * stddev + 1e-6);
    sum_sq += double{v} * v;
  }
  // Truncation at 2 sigma with Keras's correction keeps the variance at 2 / fan_in.
  EXPECT_NEAR(sum_sq / static_cast<double>(w.size()), 2.0 / 200.0, 0.001);
  EXPECT_EQ(parse_initializer("he_normal"), Initializer::kHeNormal);
  EXPECT_THROW(parse_initializer("zeros", "--init"), InvalidArgument);
}

TEST(Network, RefusesWhatTrainingDoesNotSupport) {
  const auto message = [](const std::string& spec) {
    try {
      build(spec);
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("input(8,3); conv1d(2,3)").find("layer 'conv1d' (Conv1D)"), std::string::npos);
  EXPECT_NE(message("input(8,8,3); conv(2,3,activation=gelu)").find("activation 'gelu'"),
            std::string::npos);
}

// Keras's own models (tests/analysis/keras_models) train: one step runs, the parameter count is
// Keras's, and the models with several inputs or outputs are refused by name.
TEST(Network, KerasJsonModelsTrain) {
  const std::string dir = std::string(STRIDER_SOURCE_DIR) + "/tests/analysis/keras_models/";
  for (const char* name : {"fashion_mnist_cnn", "fn_resnet_mini", "fn_mobilenet_mini",
                           "fn_inception_mini", "seq_batchnorm_activations"}) {
    SCOPED_TRACE(name);
    model::Architecture arch = model::load_model(dir + name + ".json");
    Network net(arch);
    Shape shape = net.input_shape();
    shape.insert(shape.begin(), 2);
    const Tensor& out = net.forward(random_tensor(shape, 1), true, 1);
    net.backward(Tensor(out.shape()));
    std::int64_t count = 0;
    for (const Parameter* p : net.parameters()) count += p->value.size();
    EXPECT_EQ(count, net.resolved().params);
  }
  EXPECT_THROW(Network(model::load_model(dir + "fn_multi_input.json")), InvalidArgument);
  EXPECT_THROW(Network(model::load_model(dir + "fn_multi_output.json")), InvalidArgument);
}

TEST(Network, ChecksInputShapesAndBackwardOrder) {
  Network net = build("input(4,4,1); flatten; dense(2)");
  EXPECT_THROW(net.forward(Tensor({1, 4, 5, 1}), false), ShapeError);
  net.forward(Tensor({1, 4, 4, 1}), false);
  EXPECT_THROW(net.backward(Tensor({1, 2})), InvalidArgument);
  net.forward(Tensor({1, 4, 4, 1}), true);
  EXPECT_THROW(net.backward(Tensor({2, 2})), ShapeError);
}

}  // namespace
}  // namespace strider::train
