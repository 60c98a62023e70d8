// Tests of the built-in architectures: the keras.applications nets against Keras's own per-layer
// numbers, the TF-Slim nets against google-research/receptive_field's published figures, and
// every built-in through the spec grammar and back.
#include "strider/model/builtin.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "strider/analysis/receptive_field.hpp"
#include "strider/analysis/summary.hpp"
#include "strider/model/resolve.hpp"
#include "strider/model/spec.hpp"

namespace strider::model {
namespace {

using nlohmann::json;

const std::filesystem::path kSourceDir = STRIDER_SOURCE_DIR;

json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return json::parse(in);
}

Architecture builtin(std::string_view name) {
  std::optional<Architecture> arch = builtin_model(name);
  if (!arch) throw std::runtime_error("no built-in " + std::string(name));
  return *std::move(arch);
}

// The index of the layer whose end point is `end_point`, or -1.
std::ptrdiff_t end_point_index(const Architecture& arch, std::string_view end_point) {
  for (std::size_t i = 0; i < arch.layers.size(); ++i) {
    if (arch.layers[i].end_point == end_point) return static_cast<std::ptrdiff_t>(i);
  }
  return -1;
}

// --- keras.applications ---------------------------------------------------------------------

class BuiltinKeras : public ::testing::TestWithParam<const char*> {};

TEST_P(BuiltinKeras, EveryLayerMatchesKeras) {
  const std::string name = GetParam();
  const json expected = read_json(kSourceDir / "tests/analysis/keras_models/applications" /
                                  (name + ".expected.json"));
  const Architecture arch = builtin(name);
  const ResolvedModel model = resolve(arch);

  ASSERT_EQ(arch.layers.size(), expected["layers"].size());
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < arch.layers.size(); ++i) index[arch.layers[i].name] = i;
  for (const json& e : expected["layers"]) {
    const std::string layer_name = e["name"];
    SCOPED_TRACE(layer_name);
    const auto it = index.find(layer_name);
    ASSERT_NE(it, index.end()) << "no layer named " << layer_name;
    const LayerSpec& spec = arch.layers[it->second];
    const ResolvedLayer& layer = model.layers[it->second];
    const std::string keras_class = e["class_name"];
    // Keras's ReLU layer is an Activation layer here.
    const std::string_view ours = keras_class_name(spec.kind);
    EXPECT_TRUE(ours == keras_class || (keras_class == "ReLU" && ours == "Activation"))
        << ours << " vs " << keras_class;
    EXPECT_EQ(layer.output_shape, e["output_shape"].get<Shape>());
    EXPECT_EQ(layer.params, e["params"].get<std::int64_t>());
    EXPECT_EQ(layer.trainable_params, e["trainable_params"].get<std::int64_t>());
    EXPECT_EQ(layer.non_trainable_params, e["non_trainable_params"].get<std::int64_t>());
  }
  EXPECT_EQ(model.layers.front().output_shape, expected["input_shape"].get<Shape>());
  EXPECT_EQ(model.layers.back().output_shape, expected["output_shapes"][0].get<Shape>());
  EXPECT_EQ(model.params, expected["total_params"].get<std::int64_t>());
  EXPECT_EQ(model.trainable_params, expected["trainable_params"].get<std::int64_t>());
  EXPECT_EQ(model.non_trainable_params, expected["non_trainable_params"].get<std::int64_t>());
}

INSTANTIATE_TEST_SUITE_P(Builtin, BuiltinKeras,
                         ::testing::Values("resnet50", "vgg16", "mobilenet_v2", "inception_v3"));

// --- TF-Slim ------------------------------------------------------------------------------------

void expect_axis(const analysis::AxisField& got, std::int64_t field, std::int64_t stride,
                 const std::optional<std::int64_t>& padding) {
  EXPECT_EQ(got.size, field);
  EXPECT_EQ(got.stride, stride);
  if (padding) {
    EXPECT_EQ(got.padding, *padding);
  }
}

class BuiltinSlim : public ::testing::TestWithParam<const char*> {};

// Every published row: rows of a known size at that size, size-free rows (padding unknown there)
// at both sizes, since their field and stride do not depend on the size.
TEST_P(BuiltinSlim, MatchesPublishedReceptiveFields) {
  const std::string name = GetParam();
  const json rows = read_json(
      kSourceDir / "tests/analysis/data/receptive_field_published.json")["networks"][name];
  ASSERT_FALSE(rows.empty());
  const Architecture arch = builtin(name);
  std::size_t checked = 0;
  for (const std::int64_t size : {224, 321}) {
    const ResolvedModel model = resolve(arch, Shape{size, size});
    const auto fields = analysis::receptive_fields(model);
    for (const json& row : rows) {
      const bool size_free = row["input_size"].is_null();
      if (!size_free && row["input_size"].get<std::int64_t>() != size) continue;
      const std::string end_point = row["end_point"];
      SCOPED_TRACE(fmt::format("{} at {}{}", end_point, size, size_free ? " (size-free row)" : ""));
      const std::ptrdiff_t i = end_point_index(arch, end_point);
      ASSERT_GE(i, 0) << "no layer has end point " << end_point;
      const auto& field = fields[static_cast<std::size_t>(i)];
      ASSERT_TRUE(field.has_value());
      std::optional<std::int64_t> padding;
      if (!size_free) padding = row["effective_padding"].get<std::int64_t>();
      const auto rf = row["receptive_field"].get<std::int64_t>();
      const auto stride = row["effective_stride"].get<std::int64_t>();
      expect_axis(field->height, rf, stride, padding);
      expect_axis(field->width, rf, stride, padding);
      ++checked;
    }
  }
  // Size-free rows are checked twice.
  const auto size_free_rows = static_cast<std::size_t>(std::count_if(
      rows.begin(), rows.end(), [](const json& r) { return r["input_size"].is_null(); }));
  EXPECT_EQ(checked, rows.size() + size_free_rows);
}

INSTANTIATE_TEST_SUITE_P(Builtin, BuiltinSlim,
                         ::testing::Values("alexnet_v2", "vgg_16", "mobilenet_v1", "resnet_v1_50",
                                           "inception_v3_slim"));

// End points the table does not publish; figures from /work/notes/slim.md (derived by a model of
// receptive_field that reproduces every published figure).
TEST(BuiltinSlimEndPoints, UnpublishedEndPointsHaveTheDerivedFields) {
  struct Row {
    const char* net;
    const char* end_point;
    std::int64_t size, field, stride, padding;
  };
  const Row rows[] = {
      {"alexnet_v2", "alexnet_v2/pool2", 224, 67, 16, 16},
      {"alexnet_v2", "alexnet_v2/fc6", 224, 323, 32, 64},
      {"alexnet_v2", "alexnet_v2/fc7", 321, 323, 32, 64},
      {"vgg_16", "vgg_16/conv1/conv1_2", 224, 5, 1, 2},
      {"vgg_16", "vgg_16/conv2/conv2_2", 224, 14, 2, 6},
      {"vgg_16", "vgg_16/conv3/conv3_3", 224, 40, 4, 18},
      {"vgg_16", "vgg_16/conv4/conv4_3", 321, 92, 8, 42},
      {"vgg_16", "vgg_16/conv5/conv5_3", 224, 196, 16, 90},
      {"vgg_16", "vgg_16/fc6", 224, 404, 32, 90},
      {"vgg_16", "vgg_16/fc7", 321, 404, 32, 90},
      {"mobilenet_v1", "Conv2d_1_depthwise", 224, 7, 2, 2},
      {"mobilenet_v1", "Conv2d_13_depthwise", 224, 315, 32, 126},
      {"mobilenet_v1", "Conv2d_13_depthwise", 321, 315, 32, 157},
      {"resnet_v1_50", "resnet_v1_50/conv1", 224, 7, 2, 3},
      {"resnet_v1_50", "resnet_v1_50/conv1", 321, 7, 2, 3},
      {"resnet_v1_50", "resnet_v1_50/block1/unit_1/bottleneck_v1", 224, 19, 4, 7},
      {"resnet_v1_50", "resnet_v1_50/block1/unit_2/bottleneck_v1", 321, 27, 4, 13},
      {"resnet_v1_50", "resnet_v1_50/block1/unit_3/bottleneck_v1", 224, 35, 8, 15},
      {"resnet_v1_50", "resnet_v1_50/block2/unit_3/bottleneck_v1", 224, 83, 8, 39},
      {"resnet_v1_50", "resnet_v1_50/block3/unit_5/bottleneck_v1", 321, 259, 16, 129},
      {"resnet_v1_50", "resnet_v1_50/block4/unit_1/bottleneck_v1", 224, 355, 32, 175},
      {"resnet_v1_50", "resnet_v1_50/block4/unit_3/bottleneck_v1", 321, 483, 32, 241},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(fmt::format("{} at {}", row.end_point, row.size));
    const Architecture arch = builtin(row.net);
    const ResolvedModel model = resolve(arch, Shape{row.size, row.size});
    const std::ptrdiff_t i = end_point_index(arch, row.end_point);
    ASSERT_GE(i, 0);
    const auto field = analysis::receptive_fields(model)[static_cast<std::size_t>(i)];
    ASSERT_TRUE(field.has_value());
    expect_axis(field->height, row.field, row.stride, row.padding);
    expect_axis(field->width, row.field, row.stride, row.padding);
  }
}

// Every end point TF-Slim collects for these calls, each on exactly one layer.
TEST(BuiltinSlimEndPoints, EveryEndPointIsPresentOnce) {
  const std::map<std::string, std::size_t> counts = {
      {"alexnet_v2", 10},        // 5 convs, 3 pools, fc6, fc7
      {"vgg_16", 20},            // 13 convs, 5 pools, fc6, fc7
      {"mobilenet_v1", 27},      // Conv2d_0, 13 x (depthwise, pointwise)
      {"resnet_v1_50", 73},      // conv1, 16 units x 4, 4 shortcuts, 4 blocks
      {"inception_v3_slim", 18}  // 7 stem layers, 11 Mixed blocks
  };
  for (const auto& [net, count] : counts) {
    SCOPED_TRACE(net);
    std::set<std::string> seen;
    for (const LayerSpec& layer : builtin(net).layers) {
      if (layer.end_point.empty()) continue;
      EXPECT_TRUE(seen.insert(layer.end_point).second) << "twice: " << layer.end_point;
    }
    EXPECT_EQ(seen.size(), count);
  }
  const Architecture resnet = builtin("resnet_v1_50");
  EXPECT_GE(end_point_index(resnet, "resnet_v1_50/block3/unit_6/bottleneck_v1/conv2"), 0);
  EXPECT_GE(end_point_index(resnet, "resnet_v1_50/block4/unit_1/bottleneck_v1/shortcut"), 0);
  const Architecture inception = builtin("inception_v3_slim");
  for (const char* end_point : {"Conv2d_1a_3x3", "MaxPool_5a_3x3", "Mixed_5c", "Mixed_7c"}) {
    EXPECT_GE(end_point_index(inception, end_point), 0) << end_point;
  }
}

// --- all built-ins --------------------------------------------------------------------------

void expect_same_summary(const analysis::ModelSummary& a, const analysis::ModelSummary& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.input_shape, b.input_shape);
  EXPECT_EQ(a.params, b.params);
  EXPECT_EQ(a.trainable_params, b.trainable_params);
  EXPECT_EQ(a.non_trainable_params, b.non_trainable_params);
  EXPECT_EQ(a.macs, b.macs);
  EXPECT_EQ(a.activation_bytes, b.activation_bytes);
  EXPECT_EQ(a.peak_activation_bytes, b.peak_activation_bytes);
  ASSERT_EQ(a.layers.size(), b.layers.size());
  const auto same_pads = [](const std::optional<analysis::AxisPads>& x,
                            const std::optional<analysis::AxisPads>& y) {
    return x.has_value() == y.has_value() &&
           (!x || (x->before == y->before && x->after == y->after));
  };
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    const analysis::LayerSummary& x = a.layers[i];
    const analysis::LayerSummary& y = b.layers[i];
    SCOPED_TRACE(x.name);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.class_name, y.class_name);
    EXPECT_EQ(x.end_point, y.end_point);
    EXPECT_EQ(x.inputs, y.inputs);
    EXPECT_EQ(x.output_shape, y.output_shape);
    EXPECT_TRUE(same_pads(x.pads_height, y.pads_height));
    EXPECT_TRUE(same_pads(x.pads_width, y.pads_width));
    EXPECT_EQ(x.params, y.params);
    EXPECT_EQ(x.trainable_params, y.trainable_params);
    EXPECT_EQ(x.non_trainable_params, y.non_trainable_params);
    EXPECT_EQ(x.macs, y.macs);
    EXPECT_EQ(x.field, y.field);
  }
}

TEST(BuiltinModels, EveryNameValidatesAndRoundTripsThroughTheSpec) {
  for (const std::string_view name : builtin_model_names()) {
    SCOPED_TRACE(name);
    const Architecture arch = builtin(name);
    EXPECT_EQ(arch.name, name);
    EXPECT_NO_THROW(arch.validate());
    const std::string text = format_model_spec(arch);
    const Architecture again = parse_model_spec(text, arch.name);
    EXPECT_EQ(format_model_spec(again), text);
    expect_same_summary(analysis::summarize(resolve(arch)), analysis::summarize(resolve(again)));
  }
}

TEST(BuiltinModels, NamesAreStableAndUnknownNamesAreNullopt) {
  const std::vector<std::string_view> expected = {
      "resnet50", "vgg16",        "mobilenet_v2", "inception_v3",     "alexnet_v2",
      "vgg_16",   "mobilenet_v1", "resnet_v1_50", "inception_v3_slim"};
  EXPECT_EQ(builtin_model_names(), expected);
  EXPECT_FALSE(builtin_model("nope").has_value());
  EXPECT_FALSE(builtin_model("").has_value());
  EXPECT_FALSE(builtin_model("ResNet50").has_value());
  EXPECT_FALSE(builtin_model("resnet50 ").has_value());
}

// Built-ins are laid out for their default size but resolve at others (larger than the windows).
TEST(BuiltinModels, ResolveAtOtherSizes) {
  EXPECT_EQ(resolve(builtin("resnet_v1_50"), Shape{321, 321}).layers.back().output_shape,
            (Shape{11, 11, 2048}));
  EXPECT_EQ(resolve(builtin("mobilenet_v1"), Shape{321, 321}).layers.back().output_shape,
            (Shape{11, 11, 1024}));
  EXPECT_EQ(resolve(builtin("inception_v3_slim"), Shape{224, 224}).layers.back().output_shape,
            (Shape{5, 5, 2048}));
  EXPECT_EQ(resolve(builtin("resnet50"), Shape{160, 160}).layers.back().output_shape,
            (Shape{1000}));
}

}  // namespace
}  // namespace strider::model
