// strider predict: a checkpoint's model applied to images from a .npy file: the class scores
// (probabilities when the model ends in a softmax) to a .npy file, or each image's best class.
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.hpp"
#include "strider/core/error.hpp"
#include "strider/io/npy.hpp"
#include "strider/train/fit.hpp"
#include "strider/train/run_state.hpp"
#include "train_args.hpp"

namespace strider::cli {
namespace {

struct PredictCommand {
  std::string checkpoint, input, out;
  std::int64_t batch = 256;
  int threads = 0;
  bool json = false;

  void run() const {
    if (batch < 1) throw InvalidArgument(fmt::format("--batch: must be >= 1, got {}", batch));
    set_threads(threads);
    keep_freed_memory();
    const train::SavedRun saved = train::load_run(checkpoint);
    train::Network network = train::restore_network(saved);
    Tensor x = io::read_npy(input);
    const Shape& want = network.input_shape();
    // One image without the batch axis is a batch of one.
    if (x.shape() == want) {
      Shape batched = want;
      batched.insert(batched.begin(), 1);
      x = std::move(x).reshaped(batched);
    }
    if (x.rank() != want.size() + 1 ||
        !std::equal(want.begin(), want.end(), x.shape().begin() + 1)) {
      throw ShapeError(fmt::format("--input: '{}' holds {}, but the model takes (N, {} or {}",
                                   input, format_shape(x.shape()), format_shape(want).substr(1),
                                   format_shape(want)));
    }
    const Tensor y = train::predict(network, x, batch);
    if (!out.empty()) {
      io::write_npy(out, y);
      return;
    }
    const std::int64_t n = x.dim(0);
    const std::int64_t k = n == 0 ? 0 : y.size() / n;
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (std::int64_t i = 0; i < n; ++i) {
      const float* row = y.data() + i * k;
      const std::int64_t best = std::max_element(row, row + k) - row;
      if (json) {
        rows.push_back({{"index", i}, {"class", best}, {"score", row[best]}});
      } else {
        fmt::print("{} {} {:.4f}\n", i, best, row[best]);
      }
    }
    if (json) fmt::print("{}\n", rows.dump());
  }
};

}  // namespace

void add_predict_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "predict",
      "Apply a checkpoint's model to images in a .npy file ((N, H, W, C) or one (H, W, C) image, "
      "values as in training: [0, 1]): write the class scores to --out, or print each image's "
      "index, best class and its score.");
  auto c = std::make_shared<PredictCommand>();
  cmd->add_option("--checkpoint", c->checkpoint, "Checkpoint directory (from strider train)")
      ->required();
  cmd->add_option("--input", c->input, "Images (.npy, float32 or float64)")->required();
  cmd->add_option("--out", c->out,
                  "Write the scores (N, classes) here (.npy) instead of printing classes");
  cmd->add_option("--batch", c->batch, "Batch size")->capture_default_str();
  cmd->add_option("--threads", c->threads, "Threads (default: every core)");
  cmd->add_flag("--json", c->json, "Print a JSON list of {index, class, score} instead");
  cmd->callback([c] { c->run(); });
}

}  // namespace strider::cli
