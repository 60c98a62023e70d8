// `strider summary` and `strider inspect` end to end: tables, JSON, and every bad input.
#include <nlohmann/json.hpp>

#include "cli_fixture.hpp"

namespace strider::cli_test {
namespace {

class SummaryCli : public Cli {};

constexpr const char* kMnist =
    "'input(28,28,1); conv(32,3,activation=relu); maxpool(2); conv(64,3,strides=2,padding=same);"
    " gap; dense(10,activation=softmax)'";

TEST_F(SummaryCli, TableHasEveryLayerAndTotals) {
  const Result r = run(std::string("summary ") + kMnist);
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* text : {"conv2d_1", "(7, 7, 64)", "1,1 / 1,1", "18,496", "903,168",
                           "Total params:          19,466", "Final receptive field: 32 px"}) {
    EXPECT_NE(r.out.find(text), std::string::npos) << text << "\n" << r.out;
  }
}

TEST_F(SummaryCli, JsonCarriesTheFiguresPerLayer) {
  const Result r = run(std::string("summary --json --input 29,29 ") + kMnist);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["layers"].size(), 6u);
  const auto& conv = j["layers"][3];
  EXPECT_EQ(conv["name"], "conv2d_1");
  // 29 -> 27 -> 13 -> 7 with SAME stride 2: pads (1, 1).
  EXPECT_EQ(conv["output_shape"], nlohmann::json({7, 7, 64}));
  EXPECT_EQ(conv["pads"]["height"], nlohmann::json({1, 1}));
  EXPECT_EQ(conv["params"], 18496);
  EXPECT_EQ(conv["macs"], 7 * 7 * 64 * 9 * 32);
  EXPECT_EQ(conv["receptive_field"], nlohmann::json({8, 8}));
  EXPECT_EQ(conv["effective_stride"], nlohmann::json({4, 4}));
  EXPECT_EQ(conv["effective_padding"], nlohmann::json({2, 2}));
  EXPECT_EQ(j["totals"]["params"], 19466);
}

TEST_F(SummaryCli, ReadsASpecFile) {
  save_bytes("net.spec", "input(8,8,3)\nconv(4, 3)  # a comment\nflatten\ndense(2)\n");
  const Result r = run("summary --json " + quoted("net.spec"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["model"], "net");
}

TEST_F(SummaryCli, BadModelsAndInputs) {
  expect_error("summary 'input(8,8,1); conv(4,3,stride=2)'",
               {"item 2", "takes no argument 'stride'"});
  expect_error("summary 'input(4,4,1); c: conv(2,5)'", {"layer 'c' (Conv2D)"});
  expect_error("summary nosuchmodel", {"MODEL: 'nosuchmodel' is not a built-in model"});
  expect_error("summary missing/file.json", {"MODEL: cannot open 'missing/file.json'"});
  expect_error("summary 'input(8,8,1); conv(4,3)' --input 0,8", {"--input", "'0,8'"});
  expect_error("summary 'input(8,8,1); conv(4,3)' --input 1,2,3,4", {"--input"});
  save_bytes("empty.spec", "# nothing\n");
  expect_error("summary " + quoted("empty.spec"), {"model spec: empty"});
}

TEST_F(SummaryCli, InspectPrintsPathsAndRegions) {
  const Result r = run("inspect 'input(8,8,1); conv(1,3); conv(1,3)' --at 0,0");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("rows 0..4 (5 of 8), columns 0..4 (5 of 8)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 2 3 2 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("3 6 9 6 3"), std::string::npos) << r.out;
  const Result j =
      run("inspect --json --model 'input(8,8,1); a: conv(1,3); conv(1,3)' "
          "--layer a --at 2,3");
  ASSERT_EQ(j.status, 0) << j.err;
  const auto parsed = nlohmann::json::parse(j.out);
  EXPECT_EQ(parsed["input_region"]["rows"], nlohmann::json({2, 4}));
  EXPECT_EQ(parsed["input_region"]["cols"], nlohmann::json({3, 5}));
  EXPECT_EQ(parsed["paths"][1][1], 1.0);
}

TEST_F(SummaryCli, InspectBadPositions) {
  const std::string model = "'input(8,8,1); c: conv(1,3); gap'";
  expect_error("inspect " + model + " --layer c", {"--at", "layer 'c'"});
  expect_error("inspect " + model + " --layer c --at 6,0", {"outside the output of layer 'c'"});
  expect_error("inspect " + model + " --layer c --at 1,2,3", {"--at", "'1,2,3'"});
  expect_error("inspect " + model + " --layer nope --at 0,0", {"no layer named 'nope'"});
}

}  // namespace
}  // namespace strider::cli_test
