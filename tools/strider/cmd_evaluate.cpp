// strider evaluate: the loss and accuracy of a checkpoint's model on a dataset's test (or
// training) images, in inference mode.
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.hpp"
#include "strider/core/error.hpp"
#include "strider/train/fit.hpp"
#include "strider/train/run_state.hpp"
#include "train_args.hpp"

namespace strider::cli {
namespace {

struct EvaluateCommand {
  std::string checkpoint, data, split = "test";
  std::int64_t limit = 0, batch = 256;
  int threads = 0;
  bool json = false;

  void run() const {
    if (split != "test" && split != "train") {
      throw InvalidArgument(fmt::format("--split: must be test or train, got '{}'", split));
    }
    if (batch < 1) throw InvalidArgument(fmt::format("--batch: must be >= 1, got {}", batch));
    if (limit < 0) throw InvalidArgument(fmt::format("--limit: must be >= 0, got {}", limit));
    set_threads(threads);
    keep_freed_memory();
    const train::SavedRun saved = train::load_run(checkpoint);
    train::Network network = train::restore_network(saved);
    const std::string name = data.empty() ? saved.record.data : data;
    const data::TrainTest sets =
        load_data(name, split == "train" ? limit : 0, split == "test" ? limit : 0);
    const data::Dataset& set = split == "test" ? sets.test : sets.train;
    if (set.images.shape().size() != network.input_shape().size() + 1 ||
        !std::equal(network.input_shape().begin(), network.input_shape().end(),
                    set.images.shape().begin() + 1)) {
      throw ShapeError(fmt::format(
          "--data: the images of {} are {}, but the checkpoint's model "
          "takes (N, {}",
          name, format_shape(set.images.shape()), format_shape(network.input_shape()).substr(1)));
    }
    check_classes(network, set, name);
    const train::Evaluation e = train::evaluate(network, set, batch);
    if (json) {
      nlohmann::ordered_json j;
      j["accuracy"] = e.accuracy;
      j["loss"] = e.loss;
      j["examples"] = e.examples;
      j["data"] = sets.name;
      j["split"] = split;
      j["model"] = saved.record.model_name;
      j["epochs"] = saved.record.epochs_done;
      fmt::print("{}\n", j.dump());
    } else {
      fmt::print("{} after {} epochs, {} {} images of {}: accuracy {}  loss {}\n",
                 saved.record.model_name, saved.record.epochs_done, e.examples, split, sets.name,
                 fraction_text(e.accuracy), fraction_text(e.loss));
    }
  }
};

}  // namespace

void add_evaluate_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "evaluate", "Loss and accuracy of a checkpoint's model on a dataset, in inference mode.");
  auto c = std::make_shared<EvaluateCommand>();
  cmd->add_option("--checkpoint", c->checkpoint, "Checkpoint directory (from strider train)")
      ->required();
  cmd->add_option("--data", c->data,
                  "fashion-mnist, mnist:DIR or a directory (default: the run's own data)");
  cmd->add_option("--split", c->split, "test or train")->capture_default_str();
  cmd->add_option("--limit", c->limit, "Use only the first N images (0: all)");
  cmd->add_option("--batch", c->batch, "Batch size")->capture_default_str();
  cmd->add_option("--threads", c->threads, "Threads (default: every core)");
  cmd->add_flag("--json", c->json, "Print one JSON object (accuracy, loss, examples, ...)");
  cmd->callback([c] { c->run(); });
}

}  // namespace strider::cli
