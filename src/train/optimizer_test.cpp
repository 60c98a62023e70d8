// SGD and Adam against Keras 3's update formulas computed here in double, and their state.
#include "strider/train/optimizer.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "strider/core/error.hpp"

namespace strider::train {
namespace {

Parameter make_parameter(std::vector<float> value, std::vector<float> grad) {
  const auto n = static_cast<std::int64_t>(value.size());
  Parameter p;
  p.name = "dense/kernel";
  p.value = Tensor({n}, value);
  p.grad = Tensor({n}, grad);
  return p;
}

TEST(Optimizer, KerasDefaults) {
  const OptimizerSettings sgd = OptimizerSettings::defaults("sgd");
  EXPECT_EQ(sgd.learning_rate, 0.01);
  EXPECT_EQ(sgd.momentum, 0.0);
  EXPECT_FALSE(sgd.nesterov);
  const OptimizerSettings adam = OptimizerSettings::defaults("adam");
  EXPECT_EQ(adam.learning_rate, 0.001);
  EXPECT_EQ(adam.beta_1, 0.9);
  EXPECT_EQ(adam.beta_2, 0.999);
  EXPECT_EQ(adam.epsilon, 1e-7);
  EXPECT_THROW(OptimizerSettings::defaults("rmsprop"), InvalidArgument);
}

TEST(Optimizer, PlainSgd) {
  Parameter p = make_parameter({1.0f, -2.0f}, {0.5f, -4.0f});
  Parameter* ps[] = {&p};
  Optimizer sgd(OptimizerSettings::defaults("sgd"));
  sgd.step(ps);
  EXPECT_FLOAT_EQ(p.value.data()[0], 1.0f - 0.01f * 0.5f);
  EXPECT_FLOAT_EQ(p.value.data()[1], -2.0f + 0.01f * 4.0f);
  EXPECT_TRUE(sgd.slots().empty());
  EXPECT_EQ(sgd.iterations(), 1);
}

TEST(Optimizer, SgdMomentumAndNesterov) {
  for (const bool nesterov : {false, true}) {
    OptimizerSettings s = OptimizerSettings::defaults("sgd");
    s.learning_rate = 0.1;
    s.momentum = 0.9;
    s.nesterov = nesterov;
    Optimizer opt(s);
    Parameter p = make_parameter({1.0f}, {0.0f});
    Parameter* ps[] = {&p};
    double w = 1.0, m = 0.0;
    for (const double g : {0.5, -0.25, 1.0}) {
      p.grad.data()[0] = static_cast<float>(g);
      opt.step(ps);
      m = 0.9 * m - 0.1 * g;
      w += nesterov ? 0.9 * m - 0.1 * g : m;
      EXPECT_NEAR(p.value.data()[0], w, 1e-6) << nesterov;
    }
    ASSERT_EQ(opt.slots().size(), 1u);
    EXPECT_EQ(opt.slots()[0].first, "dense/kernel/momentum");
    EXPECT_NEAR(opt.slots()[0].second.data()[0], m, 1e-6);
  }
}

TEST(Optimizer, AdamFollowsKerasBiasCorrection) {
  Optimizer adam(OptimizerSettings::defaults("adam"));
  Parameter p = make_parameter({0.5f, -1.0f}, {0.0f, 0.0f});
  Parameter* ps[] = {&p};
  double w[2] = {0.5, -1.0}, m[2] = {0, 0}, v[2] = {0, 0};
  const double grads[3][2] = {{0.1, -3.0}, {0.2, 1.0}, {-0.05, 0.5}};
  for (int t = 1; t <= 3; ++t) {
    for (int i = 0; i < 2; ++i) p.grad.data()[i] = static_cast<float>(grads[t - 1][i]);
    adam.step(ps);
    const double alpha = 0.001 * std::sqrt(1.0 - std::pow(0.999, t)) / (1.0 - std::pow(0.9, t));
    for (int i = 0; i < 2; ++i) {
      const double g = grads[t - 1][i];
      m[i] += (g - m[i]) * 0.1;
      v[i] += (g * g - v[i]) * 0.001;
      w[i] -= alpha * m[i] / (std::sqrt(v[i]) + 1e-7);
      EXPECT_NEAR(p.value.data()[i], w[i], 3e-7) << "step " << t << " element " << i;
    }
  }
  const auto slots = adam.slots();
  ASSERT_EQ(slots.size(), 2u);
  EXPECT_EQ(slots[0].first, "dense/kernel/momentum");
  EXPECT_EQ(slots[1].first, "dense/kernel/velocity");
  EXPECT_NEAR(slots[1].second.data()[1], v[1], 1e-9);
}

TEST(Optimizer, CosineDecayFollowsKerasCosineDecay) {
  // Keras's CosineDecay(0.1, decay_steps=4) at steps 0..5: 0.1 * (1 + cos(pi * min(t, 4) / 4)) / 2.
  OptimizerSettings s = OptimizerSettings::defaults("sgd");
  s.learning_rate = 0.1;
  s.decay_steps = 4;
  const double expected[] = {0.1, 0.0853553390593, 0.05, 0.0146446609407, 0.0, 0.0};
  for (int t = 0; t < 6; ++t) EXPECT_NEAR(s.learning_rate_at(t), expected[t], 1e-12) << t;
  s.decay_steps = 0;
  EXPECT_EQ(s.learning_rate_at(1000), 0.1);

  // Each update uses the rate of its own step: plain SGD moves by lr_t * g.
  s.decay_steps = 4;
  Optimizer sgd(s);
  Parameter p = make_parameter({0.0f}, {1.0f});
  Parameter* ps[] = {&p};
  double w = 0.0;
  for (int t = 0; t < 6; ++t) {
    sgd.step(ps);
    w -= expected[t];
    EXPECT_NEAR(p.value.data()[0], w, 1e-6) << t;
  }
  // Adam scales its bias-corrected step by the same rate.
  s = OptimizerSettings::defaults("adam");
  s.decay_steps = 2;
  Optimizer adam(s);
  Parameter q = make_parameter({0.0f}, {1.0f});
  Parameter* qs[] = {&q};
  adam.step(qs);
  const float after_first = q.value.data()[0];
  adam.step(qs);
  EXPECT_NEAR(q.value.data()[0] - after_first, -0.0005, 1e-6);  // lr/2 * m_hat/sqrt(v_hat) = lr/2
  const float after_second = q.value.data()[0];
  adam.step(qs);
  EXPECT_EQ(q.value.data()[0], after_second);  // step 2 is at the end of the decay: rate 0
}

TEST(Optimizer, StateRoundTripsAndContinuesIdentically) {
  Parameter a = make_parameter({0.5f, -1.0f}, {0.3f, -0.2f});
  Parameter b = a;
  Parameter* pa[] = {&a};
  Parameter* pb[] = {&b};
  Optimizer first(OptimizerSettings::defaults("adam"));
  first.step(pa);
  first.step(pa);
  b.value = a.value;
  Optimizer second(OptimizerSettings::defaults("adam"));
  second.set_state(first.iterations(), first.slots());
  first.step(pa);
  second.step(pb);
  EXPECT_EQ(a.value.data()[0], b.value.data()[0]);
  EXPECT_EQ(a.value.data()[1], b.value.data()[1]);
  Optimizer sgd(OptimizerSettings::defaults("sgd"));
  EXPECT_THROW(sgd.set_state(1, first.slots()), FormatError);
  EXPECT_THROW(second.set_state(-1, {}), FormatError);
}

TEST(Optimizer, SkipsFrozenParametersAndChecksShapes) {
  Parameter frozen = make_parameter({1.0f}, {1.0f});
  frozen.trainable = false;
  Parameter bad = make_parameter({1.0f, 2.0f}, {1.0f, 1.0f});
  bad.grad = Tensor({1});
  Parameter* ok[] = {&frozen};
  Parameter* wrong[] = {&bad};
  Optimizer opt(OptimizerSettings::defaults("sgd"));
  opt.step(ok);
  EXPECT_EQ(frozen.value.data()[0], 1.0f);
  EXPECT_THROW(opt.step(wrong), ShapeError);
}

TEST(Optimizer, RefusesBadSettings) {
  const auto with = [](auto change) {
    OptimizerSettings s = OptimizerSettings::defaults("sgd");
    change(s);
    return s;
  };
  EXPECT_THROW(Optimizer(with([](auto& s) { s.learning_rate = 0; })), InvalidArgument);
  EXPECT_THROW(Optimizer(with([](auto& s) { s.learning_rate = NAN; })), InvalidArgument);
  EXPECT_THROW(Optimizer(with([](auto& s) { s.momentum = 1.0; })), InvalidArgument);
  EXPECT_THROW(Optimizer(with([](auto& s) { s.nesterov = true; })), InvalidArgument);
  EXPECT_THROW(Optimizer(with([](auto& s) { s.name = "adagrad"; })), InvalidArgument);
  EXPECT_THROW(Optimizer(with([](auto& s) { s.epsilon = 0; })), InvalidArgument);
  EXPECT_THROW(Optimizer(with([](auto& s) { s.decay_steps = -1; })), InvalidArgument);
}

}  // namespace
}  // namespace strider::train
