// `strider summary FILE.json` on Keras 3 model files, end to end: the numbers Keras reports
// (tests/analysis/keras_models/*.expected.json), and one-line errors for unsafe or broken files.
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_fixture.hpp"

namespace strider::cli_test {
namespace {

using Json = nlohmann::json;

const fs::path kModels = fs::path(STRIDER_SOURCE_DIR) / "tests/analysis/keras_models";

std::string model(const std::string& name) {
  std::string q(1, '\'');
  q += (kModels / (name + ".json")).string();
  q += '\'';
  return q;
}

Json expected(const std::string& name) {
  std::ifstream in(kModels / (name + ".expected.json"));
  return Json::parse(in);
}

using KerasCli = Cli;

TEST_F(KerasCli, SummaryTableOfASequentialModel) {
  const Result r = run("summary " + model("seq_vgg_mini"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_NE(r.out.find("Model: seq_vgg_mini"), std::string::npos) << r.out;
  const Json want = expected("seq_vgg_mini");
  for (const Json& layer : want["layers"]) {
    EXPECT_NE(r.out.find(layer["name"].get<std::string>()), std::string::npos) << layer["name"];
  }
  EXPECT_NE(r.out.find("Total params:"), std::string::npos) << r.out;
}

TEST_F(KerasCli, SummaryJsonMatchesKeras) {
  for (const char* name :
       {"seq_vgg_mini", "fn_resnet_mini", "fn_multi_input", "fn_shared_siamese"}) {
    SCOPED_TRACE(name);
    const Result r = run("summary " + model(name) + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const Json got = Json::parse(r.out);
    const Json want = expected(name);
    EXPECT_EQ(got["totals"]["params"], want["total_params"]);
    EXPECT_EQ(got["totals"]["trainable_params"], want["trainable_params"]);
    EXPECT_EQ(got["totals"]["non_trainable_params"], want["non_trainable_params"]);
    const Json& layers = got["layers"];
    // The last layer of each of these models is its only output.
    EXPECT_EQ(layers.back()["output_shape"], want["output_shapes"][0]);
    for (const Json& w : want["layers"]) {
      bool found = false;
      for (const Json& g : layers) {
        if (g["name"] == w["name"]) {
          found = true;
          EXPECT_EQ(g["output_shape"], w["output_shape"]) << w["name"];
          EXPECT_EQ(g["params"], w["params"]) << w["name"];
        }
      }
      EXPECT_TRUE(found) << w["name"];
    }
  }
}

TEST_F(KerasCli, OpenInputSizeNeedsInputOption) {
  Json doc = Json::parse(slurp(kModels / "seq_vgg_mini.json"));
  doc["config"]["layers"][0]["config"]["batch_shape"] = {nullptr, nullptr, nullptr, 3};
  save_bytes("open.json", doc.dump());
  expect_error("summary " + quoted("open.json"), {"--input"});
  const Result r = run("summary " + quoted("open.json") + " --input 32,32 --json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out)["totals"]["params"], expected("seq_vgg_mini")["total_params"]);
}

TEST_F(KerasCli, UnsafeModelsAreRefused) {
  expect_error("summary '" + (kModels / "unsafe/unsafe_lambda.json").string() + "'",
               {"(Lambda) would execute code", "never runs code from model files"});
  expect_error("summary '" + (kModels / "unsafe/unsafe_custom_layer.json").string() + "'",
               {"ScaleByTwo", "never runs code from model files"});
  expect_error("summary '" + (kModels / "unsafe/unsafe_foreign_module.json").string() + "'",
               {"strider_fixture_evil.layers", "never runs code from model files"});
}

TEST_F(KerasCli, BrokenFilesAreOneLineErrors) {
  save_bytes("truncated.json", slurp(kModels / "seq_vgg_mini.json").substr(0, 500));
  expect_error("summary " + quoted("truncated.json"), {"Keras JSON", "line"});
  save_bytes("no_layers.json",
             "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {}}");
  expect_error("summary " + quoted("no_layers.json"), {"config.layers is missing"});
  Json doc = Json::parse(slurp(kModels / "seq_vgg_mini.json"));
  doc["config"]["layers"][1]["class_name"] = "LSTM";
  save_bytes("lstm.json", doc.dump());
  expect_error("summary " + quoted("lstm.json"), {"(LSTM)", "not supported", "Conv2D"});
  doc = Json::parse(slurp(kModels / "seq_vgg_mini.json"));
  doc["config"]["layers"][1]["config"]["name"] = "bad\nname";
  save_bytes("newline.json", doc.dump());
  expect_error("summary " + quoted("newline.json"), {"config.layers[1].config.name"});
  save_bytes("deep.json", "{" + std::string(5000, '[') + std::string(5000, ']') + "}");
  expect_error("summary " + quoted("deep.json"), {"nested deeper"});
}

}  // namespace
}  // namespace strider::cli_test
