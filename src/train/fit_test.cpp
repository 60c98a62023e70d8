// The fit loop on a small synthetic task: it learns, it is deterministic, a run resumed from a
// checkpoint ends with the same bits as an uninterrupted one, and a diverging loss stops it.
#include "strider/train/fit.hpp"

#include <gtest/gtest.h>
#include <omp.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "strider/core/error.hpp"
#include "strider/core/random.hpp"
#include "strider/model/spec.hpp"
#include "strider/train/run_state.hpp"

namespace strider::train {
namespace {

// 8x8 images of noise with one bright 4x4 quadrant; the label is the quadrant.
data::Dataset quadrants(std::int64_t count, std::uint64_t seed) {
  data::Dataset d;
  d.classes = 4;
  d.images = Tensor({count, 8, 8, 1});
  Rng rng(seed);
  rng.fill_uniform(d.images.values(), 0.0, 0.5);
  for (std::int64_t i = 0; i < count; ++i) {
    const auto label = static_cast<std::int32_t>(rng.uniform() * 4.0);
    d.labels.push_back(label);
    const std::int64_t y0 = (label / 2) * 4, x0 = (label % 2) * 4;
    for (std::int64_t y = y0; y < y0 + 4; ++y) {
      for (std::int64_t x = x0; x < x0 + 4; ++x) d.images.at(i, y, x, 0) += 0.5f;
    }
  }
  return d;
}

constexpr const char* kModel =
    "input(8,8,1); conv(8,3,padding=same,activation=relu); bn; "
    "conv(8,3,strides=2,padding=same,activation=relu); dropout(0.2); flatten; dense(4)";

Network network(std::uint64_t seed = 3) {
  NetworkOptions o;
  o.seed = seed;
  return Network(model::parse_model_spec(kModel, "quadrants"), o);
}

std::vector<float> all_weights(const Network& net) {
  std::vector<float> out;
  for (const Parameter* p : net.parameters()) {
    out.insert(out.end(), p->value.values().begin(), p->value.values().end());
  }
  return out;
}

FitOptions options(std::int64_t epochs) {
  FitOptions o;
  o.epochs = epochs;
  o.batch_size = 16;
  o.seed = 11;
  return o;
}

class Fit : public ::testing::Test {
 protected:
  data::Dataset train_ = quadrants(128, 1), test_ = quadrants(64, 2);
};

TEST_F(Fit, LearnsTheTask) {
  Network net = network();
  OptimizerSettings s = OptimizerSettings::defaults("adam");
  s.learning_rate = 0.01;
  Optimizer opt(s);
  std::int64_t batches = 0;
  FitOptions o = options(5);
  o.on_batch = [&](const BatchProgress& p) {
    ++batches;
    EXPECT_EQ(p.batches, 8);
    EXPECT_EQ(p.total, 128);
  };
  const std::vector<EpochResult> history = fit(net, opt, train_, &test_, o);
  ASSERT_EQ(history.size(), 5u);
  EXPECT_EQ(batches, 40);
  EXPECT_EQ(history[0].epoch, 1);
  EXPECT_LT(history.back().loss, 0.8 * history.front().loss);
  ASSERT_TRUE(history.back().test_accuracy.has_value());
  EXPECT_GT(*history.back().test_accuracy, 0.7);
  RecordProperty("test_accuracy", std::to_string(*history.back().test_accuracy));
  const Evaluation e = evaluate(net, test_);
  EXPECT_EQ(e.examples, 64);
  EXPECT_DOUBLE_EQ(e.accuracy, *history.back().test_accuracy);
  const Tensor p = predict(net, test_.images, 10);
  ASSERT_EQ(p.shape(), (Shape{64, 4}));
}

TEST_F(Fit, SameSeedSameBits) {
  Network a = network(), b = network();
  Optimizer oa(OptimizerSettings::defaults("adam")), ob(OptimizerSettings::defaults("adam"));
  const auto ha = fit(a, oa, train_, nullptr, options(2));
  const auto hb = fit(b, ob, train_, nullptr, options(2));
  EXPECT_EQ(all_weights(a), all_weights(b));
  EXPECT_EQ(ha[1].loss, hb[1].loss);
  Network c = network();
  Optimizer oc(OptimizerSettings::defaults("adam"));
  FitOptions other = options(2);
  other.seed = 12;
  fit(c, oc, train_, nullptr, other);
  EXPECT_NE(all_weights(a), all_weights(c));
}

// Models without BatchNormalization: their batches may be split between the threads.
constexpr const char* kSplitModel =
    "input(8,8,1); conv(8,3,padding=same,activation=relu); "
    "conv(8,3,strides=2,padding=same,activation=relu); flatten; dense(4)";

Network split_network(const char* spec = kSplitModel) {
  NetworkOptions o;
  o.seed = 3;
  return Network(model::parse_model_spec(spec, "quadrants"), o);
}

// One SGD step on the same batch, whole and in two or three parts: w - lr * g, so equal weights
// mean equal gradients (the parts' sums in another order: close, not the same bits).
TEST(FitSplit, AStepInPartsMatchesTheWholeBatch) {
  const data::Dataset one_batch = quadrants(16, 5);
  Network whole = split_network();
  OptimizerSettings s = OptimizerSettings::defaults("sgd");
  s.learning_rate = 0.5;
  Optimizer ow(s);
  FitOptions o = options(1);
  o.batch_parts = 1;
  const auto hw = fit(whole, ow, one_batch, nullptr, o);
  for (const int parts : {2, 3}) {
    Network split = split_network();
    Optimizer os(s);
    o.batch_parts = parts;
    const auto hs = fit(split, os, one_batch, nullptr, o);
    EXPECT_NEAR(hs[0].loss, hw[0].loss, 1e-6 * std::fabs(hw[0].loss));
    EXPECT_EQ(hs[0].accuracy, hw[0].accuracy);
    const std::vector<float> a = all_weights(whole), b = all_weights(split);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      ASSERT_NEAR(b[i], a[i], 1e-5f * (1.0f + std::fabs(a[i]))) << parts << " parts, weight " << i;
    }
    EXPECT_NE(b, all_weights(split_network()));  // the step moved the weights
  }
}

// Split batches learn, and the same seed and parts give the same bits (a last batch smaller
// than the parts, 129 = 8 x 16 + 1, runs whole); dropout draws each part's masks.
TEST_F(Fit, SplitBatchesLearnWithTheSameBitsEveryRun) {
  const data::Dataset train = quadrants(129, 1);
  const char* spec =
      "input(8,8,1); conv(8,3,padding=same,activation=relu); "
      "conv(8,3,strides=2,padding=same,activation=relu); dropout(0.2); flatten; dense(4)";
  std::vector<float> first;
  for (int run = 0; run < 2; ++run) {
    Network net = split_network(spec);
    OptimizerSettings s = OptimizerSettings::defaults("adam");
    s.learning_rate = 0.01;
    Optimizer opt(s);
    FitOptions o = options(5);
    o.batch_parts = 2;
    const auto history = fit(net, opt, train, &test_, o);
    EXPECT_LT(history.back().loss, 0.8 * history.front().loss);
    EXPECT_GT(*history.back().test_accuracy, 0.7);
    if (run == 0) {
      first = all_weights(net);
    } else {
      EXPECT_EQ(all_weights(net), first);
    }
  }
}

// Left to choose (batch_parts = 0), a batch is split one part per thread only where each part
// gets 8 examples or more: with 2 threads, batches of 16 run as 2 parts, batches of 8 whole.
TEST_F(Fit, ChosenPartsLeaveEachAtLeastEightExamples) {
  const int threads = omp_get_max_threads();
  omp_set_num_threads(2);
  for (const std::int64_t batch : {std::int64_t{16}, std::int64_t{8}}) {
    std::vector<float> weights[3];
    for (const int parts : {0, 1, 2}) {
      Network net = split_network();
      Optimizer opt(OptimizerSettings::defaults("adam"));
      FitOptions o = options(1);
      o.batch_size = batch;
      o.batch_parts = parts;
      fit(net, opt, train_, nullptr, o);
      weights[parts] = all_weights(net);
    }
    EXPECT_NE(weights[1], weights[2]) << "batch " << batch;  // the split shows in the bits
    EXPECT_EQ(weights[0], weights[batch == 16 ? 2 : 1]) << "batch " << batch;
  }
  omp_set_num_threads(threads);
}

// BatchNormalization's statistics are the whole batch's: its models train on whole batches
// whatever batch_parts says (the same bits as batch_parts = 1).
TEST_F(Fit, BatchNormalizationKeepsBatchesWhole) {
  std::vector<float> weights[2];
  for (const int parts : {1, 2}) {
    Network net = network();
    Optimizer opt(OptimizerSettings::defaults("adam"));
    FitOptions o = options(1);
    o.batch_parts = parts;
    fit(net, opt, train_, nullptr, o);
    weights[parts - 1] = all_weights(net);
  }
  EXPECT_EQ(weights[0], weights[1]);
}

TEST_F(Fit, ResumedRunEqualsUninterruptedRun) {
  OptimizerSettings s = OptimizerSettings::defaults("sgd");
  s.momentum = 0.9;
  // The learning rate decays over the whole run, so the resumed epoch must restart mid-schedule.
  s.decay_steps = decay_steps_for("cosine", static_cast<std::int64_t>(train_.labels.size()), 16, 3);
  ASSERT_EQ(s.decay_steps, 24);
  Network whole = network();
  Optimizer whole_opt(s);
  fit(whole, whole_opt, train_, &test_, options(3));

  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("strider_fit_resume_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  Network first = network();
  Optimizer first_opt(s);
  RunRecord record;
  record.model_name = "quadrants";
  record.seed = 11;
  record.batch_size = 16;
  record.data = "synthetic";
  const auto history = fit(first, first_opt, train_, &test_, options(2));
  record.history = history;
  record.epochs_done = 2;
  save_run(dir, first, first_opt, record);

  const SavedRun saved = load_run(dir);
  EXPECT_EQ(saved.record.epochs_done, 2);
  EXPECT_EQ(saved.record.optimizer.momentum, 0.9);
  EXPECT_EQ(saved.record.optimizer.decay_steps, 24);
  ASSERT_EQ(saved.record.history.size(), 2u);
  EXPECT_EQ(saved.record.history[1].loss, history[1].loss);
  Network resumed = restore_network(saved);
  Optimizer resumed_opt = restore_optimizer(resumed, saved);
  EXPECT_EQ(resumed_opt.iterations(), 16);
  FitOptions rest = options(3);
  rest.initial_epoch = 2;
  const auto last = fit(resumed, resumed_opt, train_, &test_, rest);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].epoch, 3);
  EXPECT_EQ(all_weights(resumed), all_weights(whole));
  std::filesystem::remove_all(dir);

  // A record from before schedules has no decay_steps: a constant rate.
  nlohmann::json old = record_json(saved.record);
  old["optimizer"].erase("decay_steps");
  EXPECT_EQ(record_from_json(old, "old").optimizer.decay_steps, 0);
  old["optimizer"]["decay_steps"] = -3;
  EXPECT_THROW(record_from_json(old, "bad"), FormatError);
}

TEST(DecaySteps, EveryUpdateOfTheRunOrNone) {
  EXPECT_EQ(decay_steps_for("constant", 60000, 64, 15), 0);
  EXPECT_EQ(decay_steps_for("cosine", 60000, 64, 15), 15 * 938);
  EXPECT_EQ(decay_steps_for("cosine", 64, 64, 2), 2);
  EXPECT_THROW(decay_steps_for("linear", 10, 1, 1), InvalidArgument);
  EXPECT_NO_THROW(validate_lr_schedule("constant"));
  EXPECT_NO_THROW(validate_lr_schedule("cosine"));
  EXPECT_THROW(validate_lr_schedule("Cosine"), InvalidArgument);
  EXPECT_THROW(decay_steps_for("cosine", 0, 64, 1), InvalidArgument);
  EXPECT_THROW(decay_steps_for("cosine", 10, 64, 0), InvalidArgument);
}

TEST_F(Fit, RestoringIntoAnotherModelFails) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("strider_fit_other_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  Network net = network();
  Optimizer opt(OptimizerSettings::defaults("adam"));
  save_run(dir, net, opt, RunRecord{});
  SavedRun saved = load_run(dir);
  NetworkOptions o;
  o.input_shape = {8, 8, 1};
  Network other(model::parse_model_spec("input(8,8,1); conv(8,3); flatten; dense(4)"), o);
  EXPECT_THROW(restore_weights(other, saved), FormatError);
  std::filesystem::remove_all(dir);
}

TEST_F(Fit, StopsWhenTheLossIsNotFinite) {
  Network net = network();
  net.find_parameter("dense/kernel")->value.data()[0] = NAN;
  Optimizer opt(OptimizerSettings::defaults("adam"));
  FitOptions o = options(1);
  o.shuffle = false;
  try {
    fit(net, opt, train_, nullptr, o);
    FAIL() << "no error";
  } catch (const DivergedError& e) {
    EXPECT_NE(std::string(e.what()).find("epoch 1, step 1 "), std::string::npos) << e.what();
  }
}

TEST_F(Fit, RefusesBadOptions) {
  Network net = network();
  Optimizer opt(OptimizerSettings::defaults("adam"));
  FitOptions o = options(1);
  o.batch_size = 0;
  EXPECT_THROW(fit(net, opt, train_, nullptr, o), InvalidArgument);
  o = options(1);
  o.initial_epoch = 2;
  EXPECT_THROW(fit(net, opt, train_, nullptr, o), InvalidArgument);
  o = options(1);
  o.batch_parts = -1;
  try {
    fit(net, opt, train_, nullptr, o);
    ADD_FAILURE() << "batch_parts -1 was accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("batch parts must be >= 0"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(fit(net, opt, data::Dataset{}, nullptr, options(1)), InvalidArgument);
  EXPECT_THROW(evaluate(net, test_, 0), InvalidArgument);
  EXPECT_THROW(predict(net, Tensor({2, 8, 7, 1})), ShapeError);
  EXPECT_THROW(measure_latency(net, {0}), InvalidArgument);
}

TEST_F(Fit, LatencyPerBatch) {
  Network net = network();
  const std::vector<Latency> l = measure_latency(net, {1, 4}, 0.01);
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[1].batch, 4);
  EXPECT_GT(l[1].batch_ms, 0.0);
  EXPECT_DOUBLE_EQ(l[1].per_image_ms, l[1].batch_ms / 4.0);
}

}  // namespace
}  // namespace strider::train
