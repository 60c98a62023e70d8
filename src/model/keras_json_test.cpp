// Tests of the Keras JSON reader: every fixture model in tests/analysis/keras_models (and the four
// keras.applications architectures) read and resolved to Keras's own per-layer shapes and
// parameter counts; unsafe models refused; hostile files always a strider::Error.
#include "strider/model/keras_json.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "strider/core/error.hpp"
#include "strider/model/resolve.hpp"
#include "strider/model/spec.hpp"

namespace strider::model {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const fs::path kModels = fs::path(STRIDER_SOURCE_DIR) / "tests/analysis/keras_models";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string read_gzip(const fs::path& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) return {};
  std::string text;
  char buffer[1 << 16];
  int n = 0;
  while ((n = gzread(file, buffer, sizeof buffer)) > 0)
    text.append(buffer, static_cast<std::size_t>(n));
  gzclose(file);
  return text;
}

Shape shape_of(const Json& j) { return j.get<Shape>(); }

// "seq_vgg_mini" -> the architecture text; "applications/resnet50" -> the decompressed one.
std::string model_text(const std::string& name) {
  const fs::path plain = kModels / (name + ".json");
  return fs::exists(plain) ? read_text(plain) : read_gzip(kModels / (name + ".json.gz"));
}

std::vector<std::string> fixture_names() {
  std::vector<std::string> names;
  for (const char* dir : {"", "applications"}) {
    for (const auto& entry : fs::directory_iterator(kModels / dir)) {
      const std::string file = entry.path().filename().string();
      const std::string suffix = ".expected.json";
      if (file.size() > suffix.size() && file.ends_with(suffix)) {
        const std::string stem = file.substr(0, file.size() - suffix.size());
        names.push_back(*dir ? std::string(dir) + "/" + stem : stem);
      }
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

class KerasFixture : public ::testing::TestWithParam<std::string> {};

// Reads the architecture, resolves it and compares every layer with what Keras reported.
TEST_P(KerasFixture, MatchesKerasShapesAndParams) {
  const std::string& name = GetParam();
  const Json expected = Json::parse(read_text(kModels / (name + ".expected.json")));
  const std::string text = model_text(name);
  ASSERT_FALSE(text.empty()) << name;
  const Architecture arch = read_keras_json(text);
  EXPECT_EQ(arch.name, expected["model_name"].get<std::string>());
  ASSERT_FALSE(arch.layers.empty());
  ASSERT_EQ(arch.layers.front().kind, LayerKind::kInput);

  const auto& input_shapes = expected["input_shapes"];
  const Shape requested = input_shapes.size() == 1 ? shape_of(expected["input_shape"]) : Shape{};
  const ResolvedModel model = resolve(arch, requested);

  std::vector<Shape> inputs;
  for (std::size_t i = 0; i < arch.layers.size(); ++i) {
    if (arch.layers[i].kind == LayerKind::kInput) inputs.push_back(model.layers[i].output_shape);
  }
  ASSERT_EQ(inputs.size(), input_shapes.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) EXPECT_EQ(inputs[i], shape_of(input_shapes[i]));

  const auto& output_shapes = expected["output_shapes"];
  ASSERT_EQ(arch.outputs.size(), output_shapes.size());
  for (std::size_t i = 0; i < arch.outputs.size(); ++i) {
    EXPECT_EQ(model.layers[arch.index_of(arch.outputs[i])].output_shape, shape_of(output_shapes[i]))
        << arch.outputs[i];
  }

  // Keras lists a shared layer once; we have one spec per call, the later ones sharing.
  const bool sequential = expected["model_class"] == "Sequential";
  std::size_t owners = 0;
  for (const LayerSpec& l : arch.layers) owners += l.shares.empty() ? 1 : 0;
  // Keras's Sequential model.layers leaves the InputLayer out.
  EXPECT_EQ(owners - (sequential ? 1 : 0), expected["layers"].size());
  for (std::size_t e = 0; e < expected["layers"].size(); ++e) {
    const Json& want = expected["layers"][e];
    const std::string layer_name = want["name"].get<std::string>();
    SCOPED_TRACE(layer_name);
    const std::size_t i = arch.index_of(layer_name);
    if (sequential) {
      EXPECT_EQ(i, e + 1);
    }
    const std::string class_name = want["class_name"].get<std::string>();
    EXPECT_EQ(keras_class_name(arch.layers[i].kind),
              class_name == "ReLU" ? "Activation" : class_name);
    EXPECT_EQ(model.layers[i].output_shape, shape_of(want["output_shape"]));
    EXPECT_EQ(model.layers[i].params, want["params"].get<std::int64_t>());
    EXPECT_EQ(model.layers[i].trainable_params, want["trainable_params"].get<std::int64_t>());
    EXPECT_EQ(model.layers[i].non_trainable_params,
              want["non_trainable_params"].get<std::int64_t>());
    if (want.contains("node_output_shapes")) {
      const Json& nodes = want["node_output_shapes"];
      for (std::size_t k = 1; k < nodes.size(); ++k) {
        const std::size_t call = arch.index_of(layer_name + "_call" + std::to_string(k));
        EXPECT_EQ(arch.layers[call].shares, layer_name);
        EXPECT_EQ(model.layers[call].output_shape, shape_of(nodes[k])) << "call " << k;
        EXPECT_EQ(model.layers[call].params, 0);
      }
    }
  }
  EXPECT_EQ(model.params, expected["total_params"].get<std::int64_t>());
  EXPECT_EQ(model.trainable_params, expected["trainable_params"].get<std::int64_t>());
  EXPECT_EQ(model.non_trainable_params, expected["non_trainable_params"].get<std::int64_t>());
}

INSTANTIATE_TEST_SUITE_P(Fixtures, KerasFixture, ::testing::ValuesIn(fixture_names()),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           std::string n = param.param;
                           std::replace(n.begin(), n.end(), '/', '_');
                           return n;
                         });

TEST(KerasJson, FindsEveryFixture) {
  const std::vector<std::string> names = fixture_names();
  EXPECT_GE(names.size(), 33u);
  for (const char* app : {"resnet50", "vgg16", "mobilenet_v2", "inception_v3"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), std::string("applications/") + app),
              names.end());
  }
}

// --- Hand-built models ---------------------------------------------------------------------

Json keras_tensor(const std::string& layer, int node = 0) {
  return {
      {"class_name", "__keras_tensor__"},
      {"config", {{"shape", nullptr}, {"dtype", "float32"}, {"keras_history", {layer, node, 0}}}}};
}

Json call(Json arg) {
  return {{"args", Json::array({std::move(arg)})}, {"kwargs", Json::object()}};
}

Json input_entry(const std::string& name, Json batch_shape) {
  return {
      {"module", "keras.layers"},
      {"class_name", "InputLayer"},
      {"config", {{"batch_shape", std::move(batch_shape)}, {"dtype", "float32"}, {"name", name}}},
      {"registered_name", nullptr},
      {"name", name},
      {"inbound_nodes", Json::array()}};
}

Json layer_entry(const std::string& class_name, const std::string& name, Json config, Json nodes) {
  config["name"] = name;
  config["trainable"] = true;
  return {{"module", "keras.layers"},
          {"class_name", class_name},
          {"config", std::move(config)},
          {"registered_name", nullptr},
          {"name", name},
          {"inbound_nodes", std::move(nodes)}};
}

Json conv_config(int filters, int kernel) {
  return {{"filters", filters}, {"kernel_size", {kernel, kernel}}, {"strides", {1, 1}},
          {"padding", "same"},  {"data_format", "channels_last"},  {"dilation_rate", {1, 1}},
          {"groups", 1},        {"activation", "linear"},          {"use_bias", true}};
}

Json functional(Json layers, Json inputs, Json outputs) {
  return {{"module", "keras.src.models.functional"},
          {"class_name", "Functional"},
          {"config",
           {{"name", "hand"},
            {"trainable", true},
            {"layers", std::move(layers)},
            {"input_layers", std::move(inputs)},
            {"output_layers", std::move(outputs)}}},
          {"registered_name", "Functional"}};
}

// image -> c (shared: called on image, then on its own output) -> add(c, c_call1) -> out.
Json shared_twice_model() {
  return functional(
      Json::array({input_entry("image", {nullptr, 8, 8, 4}),
                   layer_entry("Conv2D", "c", conv_config(4, 3),
                               {call(keras_tensor("image")), call(keras_tensor("c", 0))}),
                   layer_entry("Add", "sum", Json::object(),
                               {call(Json::array({keras_tensor("c", 0), keras_tensor("c", 1)}))}),
                   layer_entry("Flatten", "out", Json::object(), {call(keras_tensor("sum"))})}),
      {"image", 0, 0}, {"out", 0, 0});
}

TEST(KerasJson, SharedLayerCalledOnItsOwnOutput) {
  const Architecture arch = read_keras_json(shared_twice_model().dump());
  ASSERT_EQ(arch.layers.size(), 5u);
  EXPECT_EQ(arch.layers[1].name, "c");
  EXPECT_EQ(arch.layers[1].inputs, std::vector<std::string>{"image"});
  EXPECT_EQ(arch.layers[2].name, "c_call1");
  EXPECT_EQ(arch.layers[2].shares, "c");
  EXPECT_EQ(arch.layers[2].inputs, std::vector<std::string>{"c"});
  EXPECT_EQ(arch.layers[3].inputs, (std::vector<std::string>{"c", "c_call1"}));
  EXPECT_EQ(arch.outputs, std::vector<std::string>{"out"});
  const ResolvedModel model = resolve(arch);
  EXPECT_EQ(model.params, 3 * 3 * 4 * 4 + 4);  // counted once
  EXPECT_EQ(model.layers[4].output_shape, (Shape{8 * 8 * 4}));
}

TEST(KerasJson, CallNameThatIsTakenGetsAnotherOne) {
  Json doc = shared_twice_model();
  doc["config"]["layers"][3]["name"] = "c_call1";
  doc["config"]["layers"][3]["config"]["name"] = "c_call1";
  doc["config"]["output_layers"] = {"c_call1", 0, 0};
  const Architecture arch = read_keras_json(doc.dump());
  EXPECT_EQ(arch.layers[2].name, "c_call1_");
  EXPECT_EQ(arch.layers[2].shares, "c");
  EXPECT_EQ(arch.outputs, std::vector<std::string>{"c_call1"});
}

TEST(KerasJson, OrdersLayersTopologically) {
  // The Functional fixtures reversed: the reader must restore an order in which every layer
  // comes after what it reads, with the same numbers.
  for (const char* name : {"fn_resnet_mini", "fn_shared_siamese", "fn_unet_mini"}) {
    SCOPED_TRACE(name);
    Json doc = Json::parse(model_text(name));
    Json& layers = doc["config"]["layers"];
    std::reverse(layers.begin(), layers.end());
    const Architecture reversed = read_keras_json(doc.dump());
    const Architecture original = read_keras_json(model_text(name));
    const ResolvedModel a = resolve(reversed), b = resolve(original);
    EXPECT_EQ(a.params, b.params);
    ASSERT_EQ(a.layers.size(), b.layers.size());
    for (std::size_t i = 0; i < b.layers.size(); ++i) {
      const std::size_t j = reversed.index_of(original.layers[i].name);
      EXPECT_EQ(a.layers[j].output_shape, b.layers[i].output_shape) << original.layers[i].name;
    }
  }
}

TEST(KerasJson, InputsComeFirstInTheModelsOrder) {
  Json doc = Json::parse(model_text("fn_multi_input"));
  doc["config"]["input_layers"] = {{"depth", 0, 0}, {"rgb", 0, 0}};
  const Architecture arch = read_keras_json(doc.dump());
  EXPECT_EQ(arch.layers[0].name, "depth");
  EXPECT_EQ(arch.layers[1].name, "rgb");
}

TEST(KerasJson, CycleIsRefused) {
  const Json doc = functional(
      Json::array(
          {input_entry("image", {nullptr, 8, 8, 4}),
           layer_entry("Add", "a", Json::object(),
                       {call(Json::array({keras_tensor("image"), keras_tensor("b")}))}),
           layer_entry("Activation", "b", {{"activation", "relu"}}, {call(keras_tensor("a"))})}),
      {"image", 0, 0}, {"b", 0, 0});
  try {
    read_keras_json(doc.dump());
    FAIL() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("cycle through a, b"), std::string::npos) << e.what();
  }
}

TEST(KerasJson, OpenInputSizeNeedsInput) {
  Json doc = Json::parse(model_text("seq_vgg_mini"));
  doc["config"]["layers"][0]["config"]["batch_shape"] = {nullptr, nullptr, nullptr, 3};
  const Architecture arch = read_keras_json(doc.dump());
  EXPECT_EQ(arch.layers[0].input_shape, (Shape{0, 0, 3}));
  EXPECT_THROW(resolve(arch), InvalidArgument);
  const Json expected = Json::parse(read_text(kModels / "seq_vgg_mini.expected.json"));
  const ResolvedModel model = resolve(arch, {32, 32});
  EXPECT_EQ(model.params, expected["total_params"].get<std::int64_t>());
  EXPECT_EQ(model.layers.back().output_shape, shape_of(expected["output_shapes"][0]));
}

TEST(KerasJson, SequentialWithoutInputLayerUsesBuildInputShape) {
  Json doc = Json::parse(model_text("seq_vgg_mini"));
  Json& layers = doc["config"]["layers"];
  layers.erase(layers.begin());
  const Architecture arch = read_keras_json(doc.dump());
  EXPECT_EQ(arch.layers[0].kind, LayerKind::kInput);
  EXPECT_EQ(arch.layers[0].input_shape, (Shape{32, 32, 3}));
  const Json expected = Json::parse(read_text(kModels / "seq_vgg_mini.expected.json"));
  EXPECT_EQ(resolve(arch).params, expected["total_params"].get<std::int64_t>());
  doc["config"].erase("build_input_shape");
  EXPECT_THROW(resolve(read_keras_json(doc.dump())), InvalidArgument);
}

TEST(KerasJson, ModelNameArgumentWins) {
  EXPECT_EQ(read_keras_json(model_text("seq_vgg_mini")).name, "seq_vgg_mini");
  EXPECT_EQ(read_keras_json(model_text("seq_vgg_mini"), "mine").name, "mine");
}

TEST(KerasJson, FrozenModelFreezesEveryLayer) {
  Json doc = Json::parse(model_text("seq_vgg_mini"));
  doc["config"]["trainable"] = false;
  const ResolvedModel model = resolve(read_keras_json(doc.dump()));
  EXPECT_GT(model.params, 0);
  EXPECT_EQ(model.trainable_params, 0);
  EXPECT_EQ(model.non_trainable_params, model.params);
}

// A Sequential model image(8,8,3) -> one layer of `class_name` with `config`.
std::string one_layer(const std::string& class_name, Json config) {
  config["name"] = "x";
  config["trainable"] = true;
  const Json doc = {{"module", "keras"},
                    {"class_name", "Sequential"},
                    {"config",
                     {{"name", "one"},
                      {"layers",
                       {{{"module", "keras.layers"},
                         {"class_name", "InputLayer"},
                         {"config", {{"batch_shape", {nullptr, 8, 8, 3}}, {"name", "image"}}},
                         {"registered_name", nullptr}},
                        {{"module", "keras.layers"},
                         {"class_name", class_name},
                         {"config", config},
                         {"registered_name", nullptr}}}}}},
                    {"registered_name", nullptr}};
  return doc.dump();
}

// Only Conv1D and Conv2D take groups in Keras; a stray "groups" on a depthwise layer (found by the
// keras_json fuzzer) is ignored, and the model's spec text parses back.
TEST(KerasJson, GroupsOnlyWhereKerasHasThem) {
  const Architecture dw = read_keras_json(one_layer(
      "DepthwiseConv2D",
      {{"kernel_size", {3, 3}}, {"strides", {2, 2}}, {"padding", "same"}, {"groups", 3}}));
  EXPECT_EQ(dw.layers[1].groups, 1);
  EXPECT_EQ(format_model_spec(parse_model_spec(format_model_spec(dw))), format_model_spec(dw));
  const Architecture conv = read_keras_json(one_layer(
      "Conv2D", {{"filters", 6}, {"kernel_size", {3, 3}}, {"padding", "valid"}, {"groups", 3}}));
  EXPECT_EQ(conv.layers[1].groups, 3);
}

TEST(KerasJson, ReluVariants) {
  const auto activation = [](Json config) {
    return read_keras_json(one_layer("ReLU", std::move(config))).layers[1].activation;
  };
  EXPECT_EQ(activation({{"max_value", nullptr}, {"negative_slope", 0.0}, {"threshold", 0.0}}),
            "relu");
  EXPECT_EQ(activation({{"max_value", 6.0}, {"negative_slope", 0.0}, {"threshold", 0.0}}), "relu6");
  EXPECT_EQ(activation({{"max_value", nullptr}, {"negative_slope", 0.1}}), "leaky_relu");
  EXPECT_THROW(activation({{"max_value", 1.0}}), InvalidArgument);
  EXPECT_THROW(activation({{"threshold", 0.5}}), InvalidArgument);
  EXPECT_THROW(activation({{"negative_slope", -1}}), InvalidArgument);
}

TEST(KerasJson, ShortPaddingForms) {
  const auto pads = [](Json amount) {
    return read_keras_json(one_layer("ZeroPadding2D", {{"padding", std::move(amount)}}))
        .layers[1]
        .padding;
  };
  EXPECT_EQ(pads(1).to_string(), "1,1,1,1");
  EXPECT_EQ(pads({1, 2}).to_string(), "1,1,2,2");
  EXPECT_EQ(pads({{0, 1}, {2, 3}}).to_string(), "0,1,2,3");
  EXPECT_THROW(pads({{0, 1}, {2, -3}}), InvalidArgument);
  EXPECT_THROW(pads({1, 2, 3}), FormatError);
}

// The one-line message of what `text` throws, or "" when it throws nothing.
template <typename E>
std::string error_of(const std::string& text) {
  try {
    read_keras_json(text);
  } catch (const E& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    return message;
  }
  ADD_FAILURE() << "no error for " << text.substr(0, 200);
  return "";
}

bool has(const std::string& message, const std::string& fragment) {
  return message.find(fragment) != std::string::npos;
}

TEST(KerasJson, RefusesUnsupportedSettings) {
  std::string m =
      error_of<InvalidArgument>(one_layer("Conv2D", {{"filters", 2},
                                                     {"kernel_size", {3, 3}},
                                                     {"padding", "valid"},
                                                     {"data_format", "channels_first"}}));
  EXPECT_TRUE(has(m, "layer 'x' (Conv2D)") && has(m, "channels_first")) << m;
  m = error_of<InvalidArgument>(one_layer("LSTM", {{"units", 3}}));
  EXPECT_TRUE(has(m, "layer 'x' (LSTM)") && has(m, "not supported") && has(m, "Conv2D") &&
              has(m, "SeparableConv2D"))
      << m;
  m = error_of<InvalidArgument>(one_layer("BatchNormalization", {{"axis", 1}}));
  EXPECT_TRUE(has(m, "axis 1")) << m;
  m = error_of<InvalidArgument>(one_layer("BatchNormalization", {{"axis", {3}}}));
  EXPECT_TRUE(has(m, "axis [3]")) << m;
  m = error_of<InvalidArgument>(one_layer("GlobalAveragePooling2D", {{"keepdims", true}}));
  EXPECT_TRUE(has(m, "keepdims")) << m;
  m = error_of<InvalidArgument>(one_layer("Activation", {{"activation", "mish_like"}}));
  EXPECT_TRUE(has(m, "activation 'mish_like'")) << m;
  m = error_of<InvalidArgument>(one_layer(
      "MaxPooling2D", {{"pool_size", {2, 2}}, {"strides", nullptr}, {"padding", "full"}}));
  EXPECT_TRUE(has(m, "padding 'full'")) << m;
  m = error_of<InvalidArgument>(
      one_layer("Conv2D", {{"filters", 2}, {"kernel_size", {3, 3}}, {"padding", "causal"}}));
  EXPECT_TRUE(has(m, "padding 'causal'")) << m;
  // A model used as a layer.
  Json nested = Json::parse(model_text("seq_vgg_mini"));
  nested["config"]["layers"][1] = {{"module", "keras"},
                                   {"class_name", "Sequential"},
                                   {"config", {{"name", "inner"}, {"layers", Json::array()}}},
                                   {"registered_name", nullptr}};
  m = error_of<InvalidArgument>(nested.dump());
  EXPECT_TRUE(has(m, "nested models")) << m;
}

// --- Unsafe models ---------------------------------------------------------------------------

TEST(KerasJson, RefusesTheUnsafeFixtures) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"unsafe_lambda", {"(Lambda) would execute code", "never runs code from model files"}},
      {"unsafe_custom_layer", {"(ScaleByTwo)", "StriderFixture>ScaleByTwo", "custom object"}},
      {"unsafe_foreign_module", {"(Conv2D)", "strider_fixture_evil.layers"}},
  };
  const Json manifest = Json::parse(read_text(kModels / "unsafe/manifest.json"));
  EXPECT_EQ(manifest.size(), cases.size());
  for (const auto& [name, fragments] : cases) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(manifest.contains(name));
    const std::string m =
        error_of<InvalidArgument>(read_text(kModels / "unsafe" / (name + ".json")));
    EXPECT_TRUE(has(m, "never runs code from model files")) << m;
    for (const std::string& f : fragments) EXPECT_TRUE(has(m, f)) << m;
  }
}

TEST(KerasJson, RefusesCodeAnywhereInALayer) {
  const Json base = Json::parse(model_text("tutorial_conv_10x10x3"));
  const auto with = [&](const std::function<void(Json&)>& change) {
    Json doc = base;
    change(doc["config"]["layers"][1]);
    return error_of<InvalidArgument>(doc.dump());
  };
  std::vector<std::string> messages = {
      with([](Json& l) {
        l["config"]["activation"] = {{"module", "builtins"},
                                     {"class_name", "function"},
                                     {"config", "my_act"},
                                     {"registered_name", "function"}};
      }),
      with([](Json& l) { l["config"]["activation"] = "Custom>swishy"; }),
      with([](Json& l) {
        l["config"]["kernel_initializer"] = {{"module", "my_package.init"},
                                             {"class_name", "MyInit"},
                                             {"config", Json::object()},
                                             {"registered_name", nullptr}};
      }),
      with([](Json& l) {
        l["config"]["kernel_regularizer"] = {{"module", "keras.regularizers"},
                                             {"class_name", "L2"},
                                             {"config", Json::object()},
                                             {"registered_name", "Pkg>L2"}};
      }),
      with([](Json& l) {
        l["config"]["bias_constraint"] = {{"class_name", "__lambda__"},
                                          {"config", {{"code", "YWJj"}}}};
      }),
      with([](Json& l) { l["config"]["function"] = "anything"; }),
      with([](Json& l) { l["registered_name"] = "Pkg>Conv2D"; }),
      with([](Json& l) { l.erase("module"); }),
      with([](Json& l) { l["module"] = "keras.initializers"; }),
  };
  for (const std::string& m : messages) {
    EXPECT_TRUE(has(m, "layer 'conv' (Conv2D)") && has(m, "never runs code from model files")) << m;
  }
  Json doc = base;
  doc["module"] = "evil";
  EXPECT_TRUE(has(error_of<InvalidArgument>(doc.dump()), "never runs code")) << doc["module"];
}

// --- Hostile files ---------------------------------------------------------------------------

// Reading (and resolving what was read) either works or throws a strider::Error; anything else
// (another exception type, a crash under the sanitizers) fails.
void expect_error_or_model(const std::string& text, const std::string& what) {
  try {
    resolve(read_keras_json(text));
  } catch (const Error&) {
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << ": " << typeid(e).name() << ": " << e.what();
  }
}

TEST(KerasJson, MalformedJsonNamesThePosition) {
  std::string m = error_of<FormatError>("{\"module\": \"keras\",\n \"config\": [1, 2,]}");
  EXPECT_TRUE(has(m, "Keras JSON") && has(m, "line 2")) << m;
  m = error_of<FormatError>("");
  EXPECT_TRUE(has(m, "Keras JSON")) << m;
  error_of<FormatError>("\xff\xfe{");
  error_of<FormatError>("{\"class_name\": \"Sequ\x01ential\"}");
  error_of<FormatError>(std::string("{\"a\": 1}\0garbage", 16));
  // A number no double holds is nlohmann's out_of_range, not a parse_error (found by fuzzing).
  m = error_of<FormatError>("{\"class_name\": \"Sequential\", \"config\": {\"x\": 1e999}}");
  EXPECT_TRUE(has(m, "Keras JSON")) << m;
  // Deep nesting is refused before parsing.
  m = error_of<FormatError>(std::string(200000, '[') + std::string(200000, ']'));
  EXPECT_TRUE(has(m, "nested deeper")) << m;
  m = error_of<FormatError>(std::string((std::size_t{32} << 20) + 1, ' '));
  EXPECT_TRUE(has(m, "MiB")) << m;
}

TEST(KerasJson, TruncatedFilesAreFormatErrors) {
  const std::string text = model_text("fn_shared_siamese");
  for (std::size_t n = 0; n < text.size(); n += 37) {
    try {
      read_keras_json(text.substr(0, n));
      ADD_FAILURE() << "prefix of " << n << " bytes read";
    } catch (const FormatError&) {
    }
  }
}

TEST(KerasJson, WrongStructureNamesTheKeyPath) {
  const Json base = Json::parse(model_text("tutorial_conv_10x10x3"));
  const auto with = [&](const std::function<void(Json&)>& change) {
    Json doc = base;
    change(doc);
    return error_of<FormatError>(doc.dump());
  };
  EXPECT_TRUE(has(with([](Json& d) { d["config"].erase("layers"); }), "config.layers is missing"));
  EXPECT_TRUE(has(with([](Json& d) { d.erase("config"); }), "config is missing"));
  EXPECT_TRUE(
      has(with([](Json& d) { d["config"]["layers"] = "x"; }), "config.layers: expected a list"));
  EXPECT_TRUE(has(with([](Json& d) { d["config"]["layers"][1]["config"]["kernel_size"] = "3"; }),
                  "config.layers[1].config.kernel_size: expected"));
  EXPECT_TRUE(has(with([](Json& d) { d["config"]["layers"][1]["config"]["filters"] = 2.5; }),
                  "config.layers[1].config.filters: expected an integer"));
  EXPECT_TRUE(has(with([](Json& d) { d["config"]["layers"][1]["config"]["use_bias"] = 1; }),
                  "use_bias: expected true or false"));
  EXPECT_TRUE(
      has(with([](Json& d) { d["config"]["layers"][1]["config"]["filters"] = 1e30; }), "filters"));
  EXPECT_TRUE(has(with([](Json& d) {
                    d["config"]["layers"][1]["config"]["filters"] = 18446744073709551615ull;
                  }),
                  "fits in 64 bits"));
  EXPECT_TRUE(has(with([](Json& d) { d["config"]["layers"][1]["config"].erase("name"); }),
                  "config.layers[1].config.name is missing"));
  EXPECT_TRUE(has(with([](Json& d) { d["config"]["layers"][0]["config"]["batch_shape"] = {1}; }),
                  "batch_shape"));
  EXPECT_TRUE(has(with([](Json& d) { d["class_name"] = "Dense"; }), "top-level class"));
  EXPECT_TRUE(has(with([](Json& d) { d.erase("module"); }), "Keras 2"));
  EXPECT_TRUE(has(with([](Json& d) { d = Json::array(); }), "expected a Keras model object"));
  EXPECT_TRUE(
      has(with([](Json& d) { d["config"]["layers"][1]["config"]["name"] = "a\nb"; }), "printable"));

  const Json fn = shared_twice_model();
  const auto fn_with = [&](const std::function<void(Json&)>& change) {
    Json doc = fn;
    change(doc);
    return doc.dump();
  };
  EXPECT_TRUE(has(error_of<FormatError>(
                      fn_with([](Json& d) { d["config"]["layers"][1].erase("inbound_nodes"); })),
                  "config.layers[1].inbound_nodes is missing"));
  EXPECT_TRUE(
      has(error_of<FormatError>(fn_with([](Json& d) { d["config"].erase("output_layers"); })),
          "config.output_layers is missing"));
  EXPECT_TRUE(has(error_of<FormatError>(fn_with([](Json& d) {
                    d["config"]["layers"][3]["inbound_nodes"][0]["args"][0] = 7;
                  })),
                  "config.layers[3].inbound_nodes[0].args[0]: expected a Keras tensor"));
  EXPECT_TRUE(has(error_of<FormatError>(fn_with([](Json& d) {
                    d["config"]["layers"][2]["inbound_nodes"][0]["args"][0] = keras_tensor("c");
                  })),
                  "list of input tensors"));
  EXPECT_TRUE(has(error_of<InvalidArgument>(fn_with([](Json& d) {
                    d["config"]["layers"][3]["inbound_nodes"][0] = call(keras_tensor("nope"));
                  })),
                  "'nope', which is not a layer of the model"));
  EXPECT_TRUE(has(error_of<InvalidArgument>(fn_with([](Json& d) {
                    d["config"]["layers"][3]["inbound_nodes"][0] = call(keras_tensor("c", 2));
                  })),
                  "reads call 2 of 'c', which has 2 calls"));
  EXPECT_TRUE(has(error_of<InvalidArgument>(fn_with([](Json& d) {
                    d["config"]["layers"][3]["inbound_nodes"][0]["kwargs"] = {{"mask", 1}};
                  })),
                  "call argument 'mask'"));
  EXPECT_TRUE(has(error_of<InvalidArgument>(fn_with([](Json& d) {
                    d["config"]["input_layers"] = {"sum", 0, 0};
                  })),
                  "not an InputLayer"));
  EXPECT_TRUE(has(
      error_of<InvalidArgument>(fn_with([](Json& d) { d["config"]["layers"][3]["name"] = "c"; })),
      "two layers are named 'c'"));
}

TEST(KerasJson, HostileValuesGiveErrors) {
  const Json base = Json::parse(model_text("tutorial_conv_10x10x3"));
  const auto change = [&](const std::function<void(Json&)>& f) {
    Json doc = base;
    f(doc["config"]["layers"][1]["config"]);
    return doc.dump();
  };
  const std::vector<std::string> texts = {
      change([](Json& c) {
        c["kernel_size"] = {-3, 3};
      }),
      change([](Json& c) {
        c["kernel_size"] = {0, 3};
      }),
      change([](Json& c) {
        c["strides"] = {0, 1};
      }),
      change([](Json& c) { c["filters"] = -1; }),
      change([](Json& c) { c["filters"] = std::int64_t{1} << 62; }),
      change([](Json& c) {
        c["kernel_size"] = {std::int64_t{1} << 62, 1};
      }),
      change([](Json& c) {
        c["dilation_rate"] = {std::int64_t{1} << 61, 1};
      }),
      change([](Json& c) { c["groups"] = 7; }),
      change([](Json& c) { c["groups"] = 0; }),
  };
  for (const std::string& t : texts) {
    EXPECT_THROW(resolve(read_keras_json(t)), Error) << t.substr(0, 120);
  }
  Json big_input = base;
  big_input["config"]["layers"][0]["config"]["batch_shape"] = {nullptr, std::int64_t{1} << 40,
                                                               std::int64_t{1} << 40, 3};
  EXPECT_THROW(resolve(read_keras_json(big_input.dump())), Error);
}

// Every leaf of a small Functional model replaced by each hostile value in turn.
TEST(KerasJson, EveryLeafReplacedIsHandled) {
  const Json base = Json::parse(model_text("fn_shared_siamese"));
  const Json flat = base.flatten();
  const std::vector<Json> hostile = {
      nullptr, -1, 0, 1e300, "x", Json::array(), Json::object(), std::uint64_t{1} << 63};
  std::size_t cases = 0;
  for (const auto& [pointer, value] : flat.items()) {
    // Settings the reader never looks at (after the code checks, which have their own test).
    if (pointer.find("initializer") != std::string::npos ||
        pointer.find("/dtype/") != std::string::npos ||
        pointer.find("build_config") != std::string::npos) {
      continue;
    }
    for (const Json& h : hostile) {
      Json doc = base;
      doc[Json::json_pointer(pointer)] = h;
      expect_error_or_model(doc.dump(), pointer + " = " + h.dump());
      ++cases;
    }
  }
  EXPECT_GT(cases, 500u);
}

TEST(KerasJson, RandomByteChangesAreHandled) {
  const std::string text = model_text("fn_shared_siamese");
  std::mt19937 rng(2026);
  std::uniform_int_distribution<std::size_t> where(0, text.size() - 1);
  const std::string bytes = "{}[]\",:0123456789-eE.nul\\ x";
  std::uniform_int_distribution<std::size_t> which(0, bytes.size() - 1);
  for (int i = 0; i < 400; ++i) {
    std::string t = text;
    for (int k = 0; k < 3; ++k) t[where(rng)] = bytes[which(rng)];
    expect_error_or_model(t, "mutation " + std::to_string(i));
  }
}

}  // namespace
}  // namespace strider::model
