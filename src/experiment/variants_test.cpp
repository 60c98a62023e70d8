// The experiment's variants: the built-in family changes only the downsampling layers and keeps
// every parameter count, and --vary's cross product applies the spec grammar's rules.
#include "strider/experiment/variants.hpp"

#include <gtest/gtest.h>

#include <set>

#include "strider/core/error.hpp"
#include "strider/experiment/experiment.hpp"
#include "strider/model/resolve.hpp"
#include "strider/model/spec.hpp"

namespace strider::experiment {
namespace {

void expect_error(const std::function<void()>& f, std::initializer_list<const char*> what) {
  try {
    f();
    ADD_FAILURE() << "no error";
  } catch (const InvalidArgument& e) {
    for (const char* w : what)
      EXPECT_NE(std::string(e.what()).find(w), std::string::npos) << e.what();
  }
}

TEST(ExperimentVariants, BuiltinsDifferOnlyInDownsamplingAndShareParameterCounts) {
  const std::vector<Variant> variants = builtin_variants();
  ASSERT_EQ(variants.size(), 6u);
  std::set<std::string> names;
  std::set<std::int64_t> params;
  for (const Variant& v : variants) {
    names.insert(v.name);
    const model::ResolvedModel m = model::resolve(v.architecture);
    params.insert(m.params);
    EXPECT_LT(m.params, 100000) << v.name;
    EXPECT_EQ(m.layers.back().output_shape, (Shape{10})) << v.name;
  }
  EXPECT_EQ(names.size(), 6u);
  EXPECT_EQ(params.size(), 1u);
  const auto conv4_output = [&](const char* name) {
    for (const Variant& v : variants) {
      if (v.name == name) {
        const model::ResolvedModel m = model::resolve(v.architecture);
        return m.layers[v.architecture.index_of("conv4")].output_shape;
      }
    }
    return Shape{};
  };
  EXPECT_EQ(conv4_output("stride1"), (Shape{28, 28, 96}));
  EXPECT_EQ(conv4_output("maxpool"), (Shape{14, 14, 96}));  // pooled after conv2 only so far
  EXPECT_EQ(conv4_output("stride2"), (Shape{7, 7, 96}));
  EXPECT_EQ(conv4_output("stride2-valid"), (Shape{6, 6, 96}));
  EXPECT_EQ(conv4_output("stride4"), (Shape{2, 2, 96}));
  EXPECT_EQ(conv4_output("dilation2"), (Shape{28, 28, 96}));
  // Half width halves the filter counts.
  const model::ResolvedModel half = model::resolve(builtin_variants(0.5)[0].architecture);
  EXPECT_EQ(half.layers[half.architecture.index_of("conv4")].output_shape, (Shape{7, 7, 48}));
  // 3x3 convolutions without bias, four BatchNorm parameters per channel (two of them moving
  // statistics), and the classifier: the same whatever the strides.
  EXPECT_EQ(*params.begin(),
            9 * (1 * 32 + 32 * 32 + 32 * 64 + 64 * 96) + 4 * (32 + 32 + 64 + 96) + 96 * 10 + 10);
  expect_error([] { base_spec(0); }, {"--width", "0"});
}

TEST(ExperimentVariants, VaryIsTheCrossProductInOrder) {
  const model::Architecture base = model::parse_model_spec(base_spec());
  const std::vector<Variant> v = vary_variants(
      base, {parse_vary("conv2.strides=1,2,3"), parse_vary("conv2.padding=same,valid")});
  ASSERT_EQ(v.size(), 6u);
  EXPECT_EQ(v[0].name, "conv2.strides=1,conv2.padding=same");
  EXPECT_EQ(v[1].name, "conv2.strides=1,conv2.padding=valid");
  EXPECT_EQ(v[5].name, "conv2.strides=3,conv2.padding=valid");
  const model::LayerSpec& conv2 = v[5].architecture.layers[base.index_of("conv2")];
  EXPECT_EQ(conv2.strides, (Pair2D{3, 3}));
  EXPECT_EQ(conv2.padding.kind, PaddingKind::kValid);
  // The base is untouched.
  EXPECT_EQ(base.layers[base.index_of("conv2")].strides, (Pair2D{2, 2}));
}

TEST(ExperimentVariants, BadVaryArgumentsNameTheRule) {
  const model::Architecture base = model::parse_model_spec(base_spec());
  expect_error([] { parse_vary("conv2strides=1"); }, {"--vary", "LAYER.KEY"});
  expect_error([] { parse_vary("conv2.strides"); }, {"--vary", "LAYER.KEY"});
  expect_error([] { parse_vary(".strides=1"); }, {"--vary"});
  expect_error([] { parse_vary("conv2.=1"); }, {"--vary"});
  expect_error([] { parse_vary("conv2.strides=1,,2"); }, {"non-empty"});
  expect_error([] { parse_vary("conv2.strides=2,2"); }, {"twice"});
  expect_error([&] { vary_variants(base, {parse_vary("conv9.strides=1")}); }, {"--vary", "conv9"});
  expect_error([&] { vary_variants(base, {parse_vary("conv2.stride=1")}); }, {"--vary", "stride"});
  expect_error([&] { vary_variants(base, {parse_vary("conv2.strides=0")}); },
               {"--vary", "conv2.strides=0"});
  expect_error(
      [&] {
        vary_variants(base, {parse_vary("conv2.strides=1"), parse_vary("conv2.strides=2")});
      },
      {"varied twice"});
  expect_error(
      [&] {
        vary_variants(base, {parse_vary("conv2.strides=1,2,3,4,5,6,7,8"),
                             parse_vary("conv3.strides=1,2,3,4,5,6,7,8,9")});
      },
      {"more than 64"});
  expect_error([&] { vary_variants(base, {}); }, {"nothing to vary"});
}

TEST(ExperimentRunKey, EverySettingThatChangesARunChangesItsKey) {
  const Variant v = builtin_variants(0.25)[0];
  const Settings base;
  const std::string key = run_key(v, base, 1);
  EXPECT_EQ(run_key(v, base, 1), key);
  EXPECT_NE(run_key(v, base, 2), key);
  const auto changed = [&](auto change) {
    Settings s = base;
    change(s);
    return run_key(v, s, 1);
  };
  EXPECT_NE(changed([](Settings& s) { s.lr_schedule = "constant"; }), key);
  EXPECT_NE(changed([](Settings& s) { s.learning_rate = 0.003; }), key);
  EXPECT_NE(changed([](Settings& s) { s.epochs = 3; }), key);
  EXPECT_NE(changed([](Settings& s) { s.train_limit = 600; }), key);
  EXPECT_NE(run_key(builtin_variants(0.25)[1], base, 1), key);
  Settings bad = base;
  bad.lr_schedule = "step";
  expect_error([&] { bad.validate(); }, {"--lr-schedule", "step"});
}

TEST(ExperimentResult, AccuracyIsMeanAndSampleSpreadAndEpochTimeIsTheMedianOfAllEpochs) {
  const auto run = [](double accuracy, std::initializer_list<double> seconds) {
    experiment::Run r;
    r.test_accuracy = accuracy;
    for (const double s : seconds) {
      train::EpochResult e;
      e.seconds = s;
      r.history.push_back(e);
    }
    return r;
  };
  VariantResult result;
  EXPECT_EQ(result.median_seconds_per_epoch(), 0);
  result.runs = {run(0.90, {10, 11, 400})};
  EXPECT_DOUBLE_EQ(result.median_seconds_per_epoch(), 11);  // the slow epoch does not count
  EXPECT_DOUBLE_EQ(result.accuracy_spread(), 0);
  result.runs.push_back(run(0.92, {12, 500, 9}));
  EXPECT_DOUBLE_EQ(result.median_seconds_per_epoch(), 11.5);  // 9 10 11 | 12 400 500
  EXPECT_DOUBLE_EQ(result.mean_accuracy(), 0.91);
  EXPECT_NEAR(result.accuracy_spread(), 0.0141421356, 1e-9);
}

}  // namespace
}  // namespace strider::experiment
