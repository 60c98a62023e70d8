// End-to-end tests of `strider experiment` on a slice of Fashion-MNIST: the report files, the
// numbers in them, runs saved as they finish and skipped on a rerun, a changed setting trained
// again, Ctrl-C losing no finished run, and bad flags refused.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "cli_fixture.hpp"

namespace strider::cli_test {
namespace {

class Experiment : public Cli {
 protected:
  void SetUp() override {
    Cli::SetUp();
    // BatchNorm's moving statistics need more than one short epoch: a small model without it.
    save_bytes("small.spec",
               "input(28,28,1); conv1: conv(8,3,padding=same,activation=relu); "
               "conv2: conv(16,3,strides=2,padding=same,activation=relu); gap; dense(10)\n");
    small_ = "experiment --model " + path("small.spec").string() +
             " --vary conv2.strides=2,4 --limit-train 512 --limit-test 256 --epochs 1 --lr 0.01 "
             "--threads 1 ";
  }
  // A tiny experiment: 2 variants, 512 training and 256 test images, one epoch. Its words hold
  // no spaces, for the test that spawns it without a shell.
  std::string small_;
  std::string out_flag() const { return "--out " + quoted("exp"); }
  std::string run_file(const std::string& variant, int seed) const {
    return path("exp/runs/" + variant + "/seed-" + std::to_string(seed) + ".json").string();
  }
};

TEST_F(Experiment, WritesTheReportAndSkipsFinishedRunsOnARerun) {
  Result r = run(small_ + "--repeats 1 " + out_flag());
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* file :
       {"report.md", "results.csv", "accuracy-vs-macs.svg", "accuracy-vs-macs.png",
        "accuracy-vs-latency.svg", "accuracy-vs-latency.png", "training-curves.svg",
        "training-curves.png"}) {
    EXPECT_TRUE(fs::exists(path(std::string("exp/") + file))) << file;
  }
  const std::string report = slurp(path("exp/report.md"));
  for (const char* part :
       {"## Recommendation", "## Pareto front: accuracy against MACs", "conv2.strides=2",
        "conv2.strides=4", "same", "parameters", "## Lint", "stride-exceeds-kernel"}) {
    EXPECT_NE(report.find(part), std::string::npos) << part << "\n" << report;
  }
  const std::string csv = slurp(path("exp/results.csv"));
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3) << csv;  // header + 2 runs
  EXPECT_NE(r.out.find("Use `conv2.strides="), std::string::npos) << r.out;
  const auto saved = nlohmann::json::parse(slurp(run_file("conv2.strides=4", 1)));
  EXPECT_EQ(saved["history"].size(), 1u);
  const double accuracy = saved["test_accuracy"].get<double>();
  EXPECT_GT(accuracy, 0.1);  // better than chance on 10 classes after one epoch

  // The same command again trains nothing: both runs come from disk, unchanged. Without
  // latency, the report says so and draws no latency plot.
  const std::string saved_text = slurp(run_file("conv2.strides=4", 1));
  r = run(small_ + "--repeats 1 --no-latency " + out_flag());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("saved"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("done:"), std::string::npos) << r.err;
  EXPECT_EQ(slurp(run_file("conv2.strides=4", 1)), saved_text);
  EXPECT_FALSE(fs::exists(path("exp/accuracy-vs-latency.svg")));
  EXPECT_NE(slurp(path("exp/report.md")).find("not measured"), std::string::npos);
  EXPECT_NE(
      slurp(path("exp/report.md")).find("with 2 of the 2 runs saved by an earlier invocation"),
      std::string::npos);

  // A changed setting (two epochs) is never taken for a finished run.
  const std::string two = small_;
  r = run(std::string(two).replace(two.find("--epochs 1"), 10, "--epochs 2") +
          "--repeats 1 --no-latency " + out_flag());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err.find("saved"), std::string::npos) << r.err;
  EXPECT_EQ(nlohmann::json::parse(slurp(run_file("conv2.strides=4", 1)))["history"].size(), 2u);
}

// --quick fills in what the user did not give: a quarter-width base, batches of 32, Adam at
// 0.003 with the cosine schedule. Flags given beside it win (here the data, epochs and seeds, to
// keep the test short).
TEST_F(Experiment, QuickFillsInOnlyWhatIsNotGiven) {
  const Result r = run(
      "experiment --quick --limit-train 128 --limit-test 64 --epochs 1 --repeats 1 --no-latency "
      "--threads 1 " +
      out_flag());
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string report = slurp(path("exp/report.md"));
  for (const char* part :
       {"128 training, 64 test images). 1 epochs, batch 32, adam (learning rate 0.003, cosine "
        "schedule), 1 seeds from 1.",
        "(--quick: a quarter-width model on part of the data)",
        "conv1: conv(8,3,padding=same,bias=false)", "conv4: conv(24,3,strides=2"}) {
    EXPECT_NE(report.find(part), std::string::npos) << part << "\n" << report;
  }
  EXPECT_EQ(nlohmann::json::parse(slurp(run_file("stride1", 1)))["history"].size(), 1u);
}

TEST_F(Experiment, InterruptKeepsFinishedRunsAndTheRerunSkipsThem) {
  // Three seeds of two variants: interrupt once the first run is saved.
  const std::string args = small_ + "--repeats 3 --no-latency --out " + path("exp").string();
  std::vector<std::string> words{STRIDER_CLI};
  std::istringstream split(args);
  for (std::string w; split >> w;) words.push_back(w);
  const std::string err = path("err.txt").string();
  const pid_t pid = spawn(words, err);
  ASSERT_GT(pid, 0);
  const std::string first = run_file("conv2.strides=2", 1);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!fs::exists(first) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(fs::exists(first));
  ::kill(pid, SIGINT);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  const bool finished_anyway = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!finished_anyway) {
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 130) << slurp(err);
    EXPECT_NE(slurp(err).find("interrupted"), std::string::npos) << slurp(err);
  }
  const std::string saved = slurp(first);
  EXPECT_TRUE(nlohmann::json::accept(saved)) << saved;
  // Nothing half-written next to the saved runs.
  for (const auto& e : fs::recursive_directory_iterator(path("exp"))) {
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
  }
  const Result r = run(args);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("saved"), std::string::npos) << r.err;
  EXPECT_EQ(slurp(first), saved);
}

// A run interrupted between epochs continues from its checkpoint on the next invocation and ends
// with the numbers of a run that was never interrupted; the checkpoint goes once the run is saved.
TEST_F(Experiment, AnInterruptedRunResumesFromItsLastEpoch) {
  std::string args = small_;
  args.replace(args.find("--epochs 1"), 10, "--epochs 3");
  args.replace(args.find("--limit-train 512"), 17, "--limit-train 6000");
  args += "--repeats 1 --no-latency ";
  const Result whole = run(args + "--out " + path("whole").string());
  ASSERT_EQ(whole.status, 0) << whole.err;

  std::vector<std::string> words{STRIDER_CLI};
  std::istringstream split(args + "--out " + path("exp").string());
  for (std::string w; split >> w;) words.push_back(w);
  const std::string err = path("err.txt").string();
  const pid_t pid = spawn(words, err);
  ASSERT_GT(pid, 0);
  const fs::path partial = path("exp/runs/conv2.strides=2/seed-1.partial");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!fs::exists(partial / "checkpoint.json") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, SIGINT);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    GTEST_SKIP() << "the run finished before the interrupt arrived";
  }
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 130) << slurp(err);
  ASSERT_TRUE(fs::exists(partial)) << slurp(err);
  EXPECT_FALSE(fs::exists(run_file("conv2.strides=2", 1)));

  const fs::path kept = path("kept.partial");
  fs::copy(partial, kept, fs::copy_options::recursive);

  const auto want = nlohmann::json::parse(slurp(path("whole/runs/conv2.strides=2/seed-1.json")));
  const auto expect_uninterrupted_numbers = [&] {
    const auto got = nlohmann::json::parse(slurp(run_file("conv2.strides=2", 1)));
    ASSERT_EQ(got["history"].size(), 3u);
    EXPECT_EQ(got["test_accuracy"], want["test_accuracy"]);
    EXPECT_EQ(got["test_loss"], want["test_loss"]);
    for (std::size_t e = 0; e < 3; ++e) {
      EXPECT_EQ(got["history"][e]["loss"], want["history"][e]["loss"]) << "epoch " << e + 1;
    }
  };
  Result r = run(args + "--out " + path("exp").string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("resumes after epoch"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(partial));
  expect_uninterrupted_numbers();

  // A damaged checkpoint is not resumed: the run starts again and ends the same way.
  fs::remove(run_file("conv2.strides=2", 1));
  fs::copy(kept, partial, fs::copy_options::recursive);
  save_bytes("exp/runs/conv2.strides=2/seed-1.partial/checkpoint.json", "{");
  r = run(args + "--out " + path("exp").string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err.find("resumes after epoch"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(partial));
  expect_uninterrupted_numbers();
}

TEST_F(Experiment, BadFlagsGiveOneLine) {
  const std::string out = " --out " + quoted("exp");
  expect_error("experiment --epochs 0" + out, {"--epochs", ">= 1"}, "exp");
  expect_error("experiment --repeats 0" + out, {"--repeats"}, "exp");
  expect_error("experiment --batch 0" + out, {"--batch"}, "exp");
  expect_error("experiment --limit-train -1" + out, {"--limit-train"}, "exp");
  expect_error("experiment --optimizer rmsprop" + out, {"rmsprop"}, "exp");
  expect_error("experiment --lr -1" + out, {"--lr"}, "exp");
  expect_error("experiment --lr-schedule step" + out, {"--lr-schedule", "step"}, "exp");
  expect_error("experiment --width 9" + out, {"--width", "9"}, "exp");
  expect_error("experiment --vary conv2strides=1" + out, {"--vary", "LAYER.KEY"}, "exp");
  expect_error("experiment --vary conv9.strides=1,2" + out, {"--vary", "conv9"}, "exp");
  expect_error("experiment --vary conv2.strides=0" + out, {"--vary", "conv2.strides=0"}, "exp");
  expect_error("experiment --model 'input(28,28,1); c: conv(4,3); gap; dense(10)'" + out,
               {"--vary", "required"}, "exp");
  expect_error("experiment --vary conv2.strides=1 --data /nonexistent" + out, {"/nonexistent"},
               "exp");
  expect_error("experiment --vary conv2.strides=1 --out " + quoted("missing/exp"),
               {"--out", "does not exist"});
}

}  // namespace
}  // namespace strider::cli_test
