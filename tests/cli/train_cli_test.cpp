// `strider train`, `evaluate` and `predict` end to end on a tiny MNIST-format dataset written by
// the test: JSON per epoch, checkpoints, resume == uninterrupted, and every bad input.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>

#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "cli_fixture.hpp"
#include "strider/io/checkpoint.hpp"

namespace strider::cli_test {
namespace {

constexpr const char* kModel =
    "'input(8,8,1); conv(4,3,strides=2,activation=relu); dropout(0.1); flatten; dense(10)'";

class TrainCli : public Cli {
 protected:
  void SetUp() override {
    Cli::SetUp();
    fs::create_directories(path("data"));
    write_split("train", 96, 1);
    write_split("t10k", 32, 2);
  }

  // An IDX file of unsigned bytes with `dims`.
  void write_idx(const std::string& name, const std::vector<std::int32_t>& dims,
                 const std::string& data) const {
    std::string bytes = {0, 0, 8, static_cast<char>(dims.size())};
    for (const std::int32_t d : dims) {
      for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>(d >> shift));
    }
    bytes += data;
    save_bytes("data/" + name, bytes);
  }

  // 8x8 images whose bright quadrant is the label (0..3).
  void write_split(const std::string& split, std::int32_t count, std::uint64_t seed) const {
    Rng rng(seed);
    std::string images, labels;
    for (std::int32_t i = 0; i < count; ++i) {
      const int label = static_cast<int>(rng.uniform() * 4.0);
      labels.push_back(static_cast<char>(label));
      for (int y = 0; y < 8; ++y) {
        for (int x = 0; x < 8; ++x) {
          const int quadrant = (y / 4) * 2 + x / 4;
          images.push_back(
              static_cast<char>(rng.uniform() * 100.0 + (quadrant == label ? 150.0 : 0.0)));
        }
      }
    }
    write_idx(split + "-images-idx3-ubyte", {count, 8, 8}, images);
    write_idx(split + "-labels-idx1-ubyte", {count}, labels);
  }

  std::string train_args(const std::string& extra) const {
    return "train --model " + std::string(kModel) + " --data " + quoted("data") +
           " --batch 16 --threads 1 " + extra;
  }

  static std::vector<nlohmann::json> json_lines(const std::string& text) {
    std::vector<nlohmann::json> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
    return out;
  }

  // Every tensor of the checkpoint in `dir`, by name, as raw values.
  std::map<std::string, std::vector<float>> tensors(const std::string& dir) const {
    std::map<std::string, std::vector<float>> out;
    for (const auto& [name, t] : io::load_checkpoint(path(dir)).tensors) {
      out[name] = std::vector<float>(t.values().begin(), t.values().end());
    }
    return out;
  }
};

TEST_F(TrainCli, JsonLinePerEpoch) {
  const Result r = run(train_args("--epochs 2 --json"));
  ASSERT_EQ(r.status, 0) << r.err;
  const auto lines = json_lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(lines[i]["epoch"], i + 1);
    for (const char* key :
         {"seconds", "loss", "accuracy", "test_loss", "test_accuracy", "images_per_second"}) {
      EXPECT_TRUE(lines[i][key].is_number()) << key << " " << lines[i];
    }
  }
  EXPECT_LT(lines[1]["loss"].get<double>(), lines[0]["loss"].get<double>());
  // Not a terminal: no progress bar.
  EXPECT_EQ(r.err, "");
}

// --profile: each layer's forward and backward time per step, in the JSON line's "profile" and
// as a table after each epoch's line.
TEST_F(TrainCli, ProfileTimesEveryLayer) {
  const Result r = run(train_args("--epochs 2 --json --profile"));
  ASSERT_EQ(r.status, 0) << r.err;
  const auto lines = json_lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  for (const nlohmann::json& line : lines) {
    const nlohmann::json& p = line["profile"];
    EXPECT_EQ(p["steps"], 6) << p;  // 96 images in batches of 16, reset after each epoch
    const double step_ms = p["step_ms"].get<double>();
    EXPECT_NEAR(step_ms, line["seconds"].get<double>() * 1e3 / 6, 1e-9);
    const std::vector<std::string> names = {"conv2d", "dropout", "flatten", "dense"};
    ASSERT_EQ(p["layers"].size(), names.size()) << p;
    double layers_ms = 0.0;
    for (std::size_t i = 0; i < names.size(); ++i) {
      const nlohmann::json& l = p["layers"][i];
      EXPECT_EQ(l["name"], names[i]);
      EXPECT_GE(l["forward_ms"].get<double>(), 0.0);
      EXPECT_GE(l["backward_ms"].get<double>(), 0.0);
      layers_ms += l["forward_ms"].get<double>() + l["backward_ms"].get<double>();
    }
    // The layers' times are inside the step's, the rest is "other".
    EXPECT_LE(layers_ms, step_ms);
    EXPECT_NEAR(p["other_ms"].get<double>(), step_ms - layers_ms, 1e-6);
    // Convolution and Dense have MACs, so rates; dropout and flatten do not.
    EXPECT_GT(p["layers"][0]["forward_gflops"].get<double>(), 0.0);
    EXPECT_GT(p["layers"][3]["backward_gflops"].get<double>(), 0.0);
    EXPECT_FALSE(p["layers"][1].contains("forward_gflops"));
  }
  const Result text = run(train_args("--epochs 1 --profile"));
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_NE(text.out.find("per step (6 steps): "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("backward ms"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("other (loss, optimizer)"), std::string::npos) << text.out;
  // Without --profile, no profile.
  const Result plain = run(train_args("--epochs 1 --json"));
  ASSERT_EQ(plain.status, 0) << plain.err;
  EXPECT_FALSE(json_lines(plain.out)[0].contains("profile"));
}

TEST_F(TrainCli, TextLinePerEpoch) {
  const Result r = run(train_args("--epochs 1 --optimizer sgd --momentum 0.9 --nesterov"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("sgd (learning rate 0.01)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("epoch 1/1  loss "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("test_accuracy "), std::string::npos) << r.out;
}

TEST_F(TrainCli, CosineScheduleIsSavedAndKeptOnResume) {
  const Result r = run(train_args("--epochs 1 --lr-schedule cosine --checkpoint " + quoted("ck")));
  ASSERT_EQ(r.status, 0) << r.err;
  // 96 training images in batches of 16 (train_args): 6 updates in the one epoch.
  EXPECT_NE(r.out.find("cosine decay to 0 over 6 steps"), std::string::npos) << r.out;
  EXPECT_EQ(io::load_checkpoint(path("ck")).metadata["optimizer"]["decay_steps"], 6);
  expect_error(
      train_args("--epochs 2 --resume --lr-schedule constant --checkpoint " + quoted("ck")),
      {"--lr-schedule", "the checkpoint's run used cosine"});
  const Result more = run("train --epochs 3 --resume --checkpoint " + quoted("ck"));
  ASSERT_EQ(more.status, 0) << more.err;
  EXPECT_NE(more.out.find("cosine decay to 0 over 18 steps"), std::string::npos) << more.out;
  EXPECT_EQ(io::load_checkpoint(path("ck")).metadata["optimizer"]["decay_steps"], 18);
}

TEST_F(TrainCli, ResumeEqualsUninterruptedAndCheckpointsServeEvaluateAndPredict) {
  ASSERT_EQ(run(train_args("--epochs 2 --seed 5 --checkpoint " + quoted("whole"))).status, 0);
  const Result first = run(train_args("--epochs 1 --seed 5 --checkpoint " + quoted("parts")));
  ASSERT_EQ(first.status, 0) << first.err;
  // The resumed run takes its settings from the checkpoint.
  const Result second =
      run("train --epochs 2 --threads 1 --json --resume --checkpoint " + quoted("parts"));
  ASSERT_EQ(second.status, 0) << second.err;
  const auto lines = json_lines(second.out);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["epoch"], 2);
  EXPECT_EQ(tensors("parts"), tensors("whole"));
  EXPECT_EQ(io::load_checkpoint(path("parts")).metadata["history"].size(), 2u);

  const Result again = run("train --epochs 2 --resume --checkpoint " + quoted("parts"));
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_NE(again.out.find("nothing to do"), std::string::npos) << again.out;

  const Result eval = run("evaluate --json --checkpoint " + quoted("whole"));
  ASSERT_EQ(eval.status, 0) << eval.err;
  const auto e = nlohmann::json::parse(eval.out);
  EXPECT_EQ(e["examples"], 32);
  EXPECT_EQ(e["epochs"], 2);
  EXPECT_DOUBLE_EQ(e["accuracy"].get<double>(), lines[0]["test_accuracy"].get<double>());
  EXPECT_DOUBLE_EQ(e["loss"].get<double>(), lines[0]["test_loss"].get<double>());

  save("x.npy", random({3, 8, 8, 1}, 4));
  ASSERT_EQ(run("predict --checkpoint " + quoted("whole") + " --input " + quoted("x.npy") +
                " --out " + quoted("y.npy"))
                .status,
            0);
  const Tensor y = io::read_npy(path("y.npy"));
  ASSERT_EQ(y.shape(), (Shape{3, 10}));
  const Result printed =
      run("predict --checkpoint " + quoted("whole") + " --input " + quoted("x.npy"));
  ASSERT_EQ(printed.status, 0) << printed.err;
  EXPECT_EQ(std::count(printed.out.begin(), printed.out.end(), '\n'), 3);
  save("one.npy", random({8, 8, 1}, 4));
  const Result one =
      run("predict --json --checkpoint " + quoted("whole") + " --input " + quoted("one.npy"));
  ASSERT_EQ(one.status, 0) << one.err;
  EXPECT_EQ(nlohmann::json::parse(one.out).size(), 1u);
}

TEST_F(TrainCli, BadArguments) {
  expect_error("train --data " + quoted("data"), {"--model: required"});
  expect_error(train_args("--epochs 0"), {"--epochs", "0"});
  expect_error(train_args("--batch 0"), {"--batch"});
  expect_error(train_args("--lr 0"), {"learning rate", "> 0"});
  expect_error(train_args("--optimizer rmsprop"), {"--optimizer", "rmsprop"});
  expect_error(train_args("--momentum 0.9"), {"--momentum", "sgd only"});
  expect_error(train_args("--optimizer sgd --momentum 1.5"), {"momentum", "[0, 1)"});
  expect_error(train_args("--init zeros"), {"--init", "zeros"});
  expect_error(train_args("--lr-schedule linear"),
               {"--lr-schedule", "constant or cosine", "linear"});
  expect_error(train_args("--threads -1"), {"--threads"});
  expect_error(train_args("--limit-train -1"), {"--limit-train"});
  expect_error(train_args("--resume"), {"--resume", "--checkpoint"});
  expect_error("train --model " + std::string(kModel) + " --data " + quoted("nowhere"),
               {"nowhere"});
  expect_error("train --data " + quoted("data") + " --model 'input(28,28,1); flatten; dense(10)'",
               {"--data", "(8, 8, 1)", "(28, 28, 1)"});
  expect_error("train --data " + quoted("data") + " --model 'input(8,8,1); flatten; dense(4)'",
               {"10 classes", "dense(10)"});
  expect_error("train --data " + quoted("data") +
                   " --model 'input(8,8,1); conv(4,3,activation=gelu)"
                   "; flatten; dense(10)'",
               {"activation 'gelu'", "not supported for training"});
}

// Keras names outside the spec grammar cannot go into a checkpoint: refused before training.
TEST_F(TrainCli, KerasLayerNameTheCheckpointCannotHold) {
  std::ifstream in(fs::path(STRIDER_SOURCE_DIR) /
                   "tests/analysis/keras_models/fashion_mnist_cnn.json");
  nlohmann::json model = nlohmann::json::parse(in);
  model["config"]["layers"][1]["config"]["name"] = "my conv";
  save_bytes("spaced.json", model.dump());
  expect_error("train --data " + quoted("data") + " --model " + quoted("spaced.json"),
               {"--model", "layer name 'my conv'", "rename"});
}

TEST_F(TrainCli, BadData) {
  write_idx("t10k-labels-idx1-ubyte", {32}, std::string(31, '\1') + '\x0c');
  expect_error(train_args("--epochs 1"), {"label 12", "out of range"});
  write_idx("t10k-labels-idx1-ubyte", {31}, std::string(31, '\1'));
  expect_error(train_args("--epochs 1"), {"32 images but 31 labels"});
  save_bytes("data/t10k-labels-idx1-ubyte", std::string("\0\0\x08\x01\0\0", 6));
  expect_error(train_args("--epochs 1"), {"t10k-labels"});
}

TEST_F(TrainCli, CheckpointMisuse) {
  ASSERT_EQ(run(train_args("--epochs 1 --checkpoint " + quoted("ck"))).status, 0);
  expect_error(train_args("--epochs 2 --checkpoint " + quoted("ck")),
               {"already holds a checkpoint", "--resume"});
  expect_error("train --epochs 2 --resume --checkpoint " + quoted("ck") + " --data " +
                   quoted("data") + " --model 'input(8,8,1); flatten; dense(10)'",
               {"--model", "another model"});
  expect_error(train_args("--epochs 2 --resume --seed 9 --checkpoint " + quoted("ck")),
               {"--seed", "the checkpoint's run used 0"});
  save_bytes("ck/checkpoint.json", "{");
  expect_error("train --epochs 2 --resume --checkpoint " + quoted("ck"), {"checkpoint.json"});
  expect_error("evaluate --checkpoint " + quoted("ck"), {"checkpoint.json"});
  expect_error("evaluate --checkpoint " + quoted("none"), {"none"});
}

TEST_F(TrainCli, EvaluateAndPredictBadInput) {
  ASSERT_EQ(run(train_args("--epochs 1 --checkpoint " + quoted("ck"))).status, 0);
  expect_error("evaluate --checkpoint " + quoted("ck") + " --split valid", {"--split", "valid"});
  expect_error("evaluate --checkpoint " + quoted("ck") + " --batch 0", {"--batch"});
  save("x.npy", random({2, 9, 8, 1}, 1));
  expect_error("predict --checkpoint " + quoted("ck") + " --input " + quoted("x.npy") + " --out " +
                   quoted("y.npy"),
               {"--input", "(2, 9, 8, 1)", "(N, 8, 8, 1)"}, "y.npy");
  expect_error("predict --checkpoint " + quoted("ck") + " --input " + quoted("missing.npy"),
               {"missing.npy"});
  expect_error("predict --checkpoint " + quoted("ck"), {"--input"});
}

TEST_F(TrainCli, DivergingLossStopsWithTheStepAndKeepsNoPartialCheckpoint) {
  const Result r =
      run(train_args("--json --epochs 1 --optimizer sgd --lr 1e35 --checkpoint " + quoted("ck")));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err.rfind("strider: error: train: the loss became ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("at epoch 1, step "), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(io::checkpoint_exists(path("ck")));
}

TEST_F(TrainCli, KilledAnywhereAndResumedEndsAsAnUninterruptedRun) {
  const auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(run(train_args("--epochs 10 --checkpoint " + quoted("whole"))).status, 0);
  const double full_us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - started).count();
  const std::vector<std::string> args = {STRIDER_CLI,
                                         "train",
                                         "--model",
                                         "input(8,8,1); conv(4,3,strides=2,activation=relu); "
                                         "dropout(0.1); flatten; dense(10)",
                                         "--data",
                                         path("data").string(),
                                         "--batch",
                                         "16",
                                         "--threads",
                                         "1",
                                         "--epochs",
                                         "10",
                                         "--checkpoint",
                                         path("parts").string(),
                                         "--resume"};
  std::mt19937 rng(7);
  int killed = 0;
  for (int round = 0; round < 8; ++round) {
    const pid_t pid = spawn(args);
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::microseconds(
        static_cast<int>(std::uniform_real_distribution<double>(0.0, 0.4 * full_us)(rng))));
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) != pid) {
      ::kill(pid, SIGKILL);
      ASSERT_EQ(::waitpid(pid, &status, 0), pid);
      killed += WIFSIGNALED(status) ? 1 : 0;
    }
    // Whatever the moment, what is saved stays loadable.
    if (io::checkpoint_exists(path("parts"))) io::load_checkpoint(path("parts"));
  }
  const Result last = run(train_args("--epochs 10 --resume --checkpoint " + quoted("parts")));
  ASSERT_EQ(last.status, 0) << last.err;
  EXPECT_EQ(tensors("parts"), tensors("whole"));
  RecordProperty("killed", killed);
}

}  // namespace
}  // namespace strider::cli_test
