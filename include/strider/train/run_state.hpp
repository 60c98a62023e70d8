// A training run's checkpoint: the model spec, the weights, the optimizer's slots and a record of
// the run (seed, settings, epochs done, history), saved with io::save_checkpoint after each epoch
// so that a resumed run continues to the same weights an uninterrupted one reaches.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "strider/io/checkpoint.hpp"
#include "strider/model/architecture.hpp"
#include "strider/train/fit.hpp"
#include "strider/train/network.hpp"
#include "strider/train/optimizer.hpp"

namespace strider::train {

// What a run was asked to do and how far it got (the checkpoint's metadata).
struct RunRecord {
  std::string model_name;
  std::uint64_t seed = 0;
  Initializer initializer = Initializer::kGlorotUniform;
  OptimizerSettings optimizer;
  std::int64_t optimizer_iterations = 0;
  std::int64_t batch_size = 64;
  std::string data;              // the --data argument: "fashion-mnist" or a directory
  std::int64_t limit_train = 0;  // 0: every example
  std::int64_t limit_test = 0;
  Shape input_shape;  // without the batch axis
  std::int64_t epochs_done = 0;
  std::vector<EpochResult> history;
};

// One epoch's result as the JSON `strider train --json` prints and checkpoints keep: epoch,
// seconds, loss, accuracy, test_loss, test_accuracy (null without a test set), test_seconds,
// images_per_second.
nlohmann::ordered_json epoch_json(const EpochResult& result);

nlohmann::json record_json(const RunRecord& record);
// Throws FormatError naming `where` and the field for a missing or mistyped field.
// epoch_json read back. Throws FormatError naming `where` and the field.
EpochResult epoch_from_json(const nlohmann::json& json, std::string_view where);
RunRecord record_from_json(const nlohmann::json& json, std::string_view where);

// Saves the network's parameters (by name), the optimizer's slots ("optimizer/<slot>") and
// `record` as the checkpoint in `dir` (atomically: see io::save_checkpoint). The model spec is
// format_model_spec of the network's architecture. Throws IoError.
void save_run(const std::filesystem::path& dir, const Network& network, const Optimizer& optimizer,
              const RunRecord& record);

struct SavedRun {
  model::Architecture architecture;
  RunRecord record;
  io::Checkpoint checkpoint;
};

// Loads and checks the checkpoint in `dir`: IoError / FormatError from io::load_checkpoint, and
// FormatError when its spec or metadata do not parse.
SavedRun load_run(const std::filesystem::path& dir);

// A network of the saved architecture and input shape holding the saved weights. Throws
// FormatError when a weight is missing, extra or of another shape.
Network restore_network(const SavedRun& run);
// Copies the saved weights into `network`, which must be of the same architecture. Throws
// FormatError as restore_network.
void restore_weights(Network& network, const SavedRun& run);
// An optimizer with the saved settings, iterations and slots. Throws FormatError for slots that
// name no parameter of `network` or have another shape.
Optimizer restore_optimizer(const Network& network, const SavedRun& run);

}  // namespace strider::train
