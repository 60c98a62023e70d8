// End-to-end tests of `strider lint`: the findings as text and JSON, and the exit status (0 with
// warnings only, 1 with errors or with warnings under --strict, 2 on bad input).
#include <nlohmann/json.hpp>
#include <string>

#include "cli_fixture.hpp"

namespace strider::cli_test {
namespace {

using Lint = Cli;

// SAME, kernel 3, stride 2 on 10: one asymmetric-same warning; on 11 it is clean.
const std::string kWarningOnly = "'x: input(10,10,1); c: conv(4,3,strides=2,padding=same)'";
// Stride 2 > kernel 1: a warning on the layer and an input-unread error.
const std::string kError = "'x: input(10,10,1); c: conv(8,1,strides=2)'";

TEST_F(Lint, CleanModelExitsZero) {
  // Receptive field 3 + 2 * 2 + 2 * 2 = 11: the whole input.
  const Result r =
      run("lint 'input(11,11,1); conv(4,3,strides=2,padding=same); conv(4,3); conv(4,3); gap; "
          "dense(3)'");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "model: 0 errors, 0 warnings\n");
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST_F(Lint, WarningsOnlyExitZero) {
  const Result r = run("lint " + kWarningOnly);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.rfind("warning[asymmetric-same] layer 'c' (Conv2D): padding 'same' pads "
                        "unevenly, rows: 0 above and 1 below an input of 10",
                        0),
            0u)
      << r.out;
  EXPECT_NE(r.out.find("\n  -> use a layer input of 9 or 11 rows and 9 or 11 columns"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\n\nmodel: 0 errors, 1 warning\n"), std::string::npos) << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST_F(Lint, StrictMakesWarningsErrors) {
  const Result r = run("lint --strict " + kWarningOnly);
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_EQ(r.out.rfind("error[asymmetric-same] layer 'c' (Conv2D): ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("model: 1 error, 0 warnings\n"), std::string::npos) << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;
  // A clean model stays 0 under --strict.
  EXPECT_EQ(run("lint --strict 'input(11,11,1); conv(4,3,strides=2,padding=same)'").status, 0);
}

TEST_F(Lint, ErrorsExitOne) {
  const Result r = run("lint " + kError);
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_EQ(r.out.rfind("error[input-unread] layer 'x' (InputLayer): 5 of 10 rows (1, 3, 5, 7, "
                        "...) and 5 of 10 columns",
                        0),
            0u)
      << r.out;
  EXPECT_NE(r.out.find("warning[stride-exceeds-kernel] layer 'c' (Conv2D): rows and columns each: "
                       "stride 2 > kernel 1, 5 of 10 never read; 75 of 100 input pixels (75.0%) "
                       "are read by no window\n  -> use kernel_size >= stride"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("model: 1 error, 1 warning\n"), std::string::npos) << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST_F(Lint, InputSizeChangesTheFindings) {
  EXPECT_EQ(run("lint " + kWarningOnly + " --input 11,11").out, "model: 0 errors, 0 warnings\n");
  EXPECT_EQ(run("lint " + kWarningOnly + " --input 11,11").status, 0);
}

TEST_F(Lint, Json) {
  const Result r = run("lint --json " + kError);
  EXPECT_EQ(r.status, 1) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["model"], "model");
  EXPECT_EQ(j["errors"], 1);
  EXPECT_EQ(j["warnings"], 1);
  ASSERT_EQ(j["findings"].size(), 2u);
  const auto& f = j["findings"][1];
  EXPECT_EQ(f["severity"], "warning");
  EXPECT_EQ(f["rule"], "stride-exceeds-kernel");
  EXPECT_EQ(f["layer"], "c");
  EXPECT_EQ(f["class_name"], "Conv2D");
  EXPECT_EQ(f["message"],
            "rows and columns each: stride 2 > kernel 1, 5 of 10 never read; 75 of 100 input "
            "pixels (75.0%) are read by no window");
  EXPECT_EQ(f["suggestion"].get<std::string>().rfind("use kernel_size >= stride", 0), 0u);
  EXPECT_EQ(j["findings"][0]["severity"], "error");
  EXPECT_EQ(j["findings"][0]["rule"], "input-unread");

  const Result strict = run("lint --json --strict " + kWarningOnly);
  EXPECT_EQ(strict.status, 1);
  const auto s = nlohmann::json::parse(strict.out);
  EXPECT_EQ(s["errors"], 1);
  EXPECT_EQ(s["warnings"], 0);
  EXPECT_EQ(s["findings"][0]["severity"], "error");

  const Result clean = run("lint --json 'input(11,11,1); conv(4,3,strides=2,padding=same)'");
  EXPECT_EQ(clean.status, 0);
  const auto c = nlohmann::json::parse(clean.out);
  EXPECT_TRUE(c["findings"].empty());
  EXPECT_EQ(c["errors"], 0);
  EXPECT_EQ(c["warnings"], 0);
}

TEST_F(Lint, BuiltinModel) {
  const Result r = run("lint resnet50");
  EXPECT_TRUE(r.status == 0 || r.status == 1) << r.err;
  EXPECT_NE(r.out.find("resnet50: "), std::string::npos) << r.out;
}

TEST_F(Lint, BadInputExitsTwo) {
  expect_error("lint no_such_model", {"MODEL: 'no_such_model' is not a built-in model"});
  expect_error("lint", {"model is required"});
  expect_error("lint " + kError + " --input 0,10", {"--input", "0,10"});
  expect_error("lint " + kError + " --input 1,2,3,4", {"--input"});
  expect_error("lint 'input(10,10,1); conv(4,11)'", {"conv2d"});
  expect_error("lint 'input(10,10,1); nonsense(3)'", {"nonsense"});
  expect_error("lint " + kError + " --strickt", {"--strickt"});
}

}  // namespace
}  // namespace strider::cli_test
