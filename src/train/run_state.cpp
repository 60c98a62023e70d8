// Checkpoints of training runs: the record as JSON and the tensors by name.
#include "strider/train/run_state.hpp"

#include <fmt/format.h>

#include <set>

#include "strider/core/error.hpp"
#include "strider/model/spec.hpp"

namespace strider::train {
namespace {

constexpr std::string_view kSlotPrefix = "optimizer/";

template <class T>
T field(const nlohmann::json& j, const char* key, std::string_view where) {
  if (!j.is_object() || !j.contains(key)) {
    throw FormatError(fmt::format("{}: the run record has no '{}'", where, key));
  }
  try {
    return j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw FormatError(fmt::format("{}: the run record's '{}' has the wrong type", where, key));
  }
}

nlohmann::json optional_number(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

std::optional<double> number_or_null(const nlohmann::json& j, const char* key,
                                     std::string_view where) {
  if (j.contains(key) && j.at(key).is_null()) return std::nullopt;
  return field<double>(j, key, where);
}

}  // namespace

nlohmann::ordered_json epoch_json(const EpochResult& r) {
  nlohmann::ordered_json j;
  j["epoch"] = r.epoch;
  j["seconds"] = r.seconds;
  j["loss"] = r.loss;
  j["accuracy"] = r.accuracy;
  j["test_loss"] = r.test_loss ? nlohmann::ordered_json(*r.test_loss) : nullptr;
  j["test_accuracy"] = r.test_accuracy ? nlohmann::ordered_json(*r.test_accuracy) : nullptr;
  j["test_seconds"] = r.test_seconds;
  j["images_per_second"] = r.images_per_second;
  return j;
}

nlohmann::json record_json(const RunRecord& r) {
  nlohmann::json history = nlohmann::json::array();
  for (const EpochResult& e : r.history) {
    history.push_back({{"epoch", e.epoch},
                       {"seconds", e.seconds},
                       {"loss", e.loss},
                       {"accuracy", e.accuracy},
                       {"test_loss", optional_number(e.test_loss)},
                       {"test_accuracy", optional_number(e.test_accuracy)},
                       {"test_seconds", e.test_seconds},
                       {"images_per_second", e.images_per_second}});
  }
  return {{"model_name", r.model_name},
          // As a string: JSON readers lose 64-bit integers above 2^53.
          {"seed", std::to_string(r.seed)},
          {"initializer", std::string(initializer_name(r.initializer))},
          {"optimizer",
           {{"name", r.optimizer.name},
            {"learning_rate", r.optimizer.learning_rate},
            {"momentum", r.optimizer.momentum},
            {"nesterov", r.optimizer.nesterov},
            {"beta_1", r.optimizer.beta_1},
            {"beta_2", r.optimizer.beta_2},
            {"epsilon", r.optimizer.epsilon},
            {"decay_steps", r.optimizer.decay_steps},
            {"iterations", r.optimizer_iterations}}},
          {"batch_size", r.batch_size},
          {"data", r.data},
          {"limit_train", r.limit_train},
          {"limit_test", r.limit_test},
          {"input_shape", r.input_shape},
          {"epochs_done", r.epochs_done},
          {"history", history}};
}

EpochResult epoch_from_json(const nlohmann::json& e, std::string_view where) {
  EpochResult result;
  result.epoch = field<std::int64_t>(e, "epoch", where);
  result.seconds = field<double>(e, "seconds", where);
  result.loss = field<double>(e, "loss", where);
  result.accuracy = field<double>(e, "accuracy", where);
  result.test_loss = number_or_null(e, "test_loss", where);
  result.test_accuracy = number_or_null(e, "test_accuracy", where);
  result.test_seconds = field<double>(e, "test_seconds", where);
  result.images_per_second = field<double>(e, "images_per_second", where);
  return result;
}

RunRecord record_from_json(const nlohmann::json& j, std::string_view where) {
  RunRecord r;
  r.model_name = field<std::string>(j, "model_name", where);
  const std::string seed = field<std::string>(j, "seed", where);
  try {
    std::size_t used = 0;
    r.seed = std::stoull(seed, &used);
    if (used != seed.size()) throw std::invalid_argument(seed);
  } catch (const std::exception&) {
    throw FormatError(fmt::format("{}: the run record's seed '{}' is not a number", where, seed));
  }
  try {
    r.initializer = parse_initializer(field<std::string>(j, "initializer", where));
  } catch (const InvalidArgument& e) {
    throw FormatError(fmt::format("{}: {}", where, e.what()));
  }
  const nlohmann::json o = field<nlohmann::json>(j, "optimizer", where);
  r.optimizer.name = field<std::string>(o, "name", where);
  r.optimizer.learning_rate = field<double>(o, "learning_rate", where);
  r.optimizer.momentum = field<double>(o, "momentum", where);
  r.optimizer.nesterov = field<bool>(o, "nesterov", where);
  r.optimizer.beta_1 = field<double>(o, "beta_1", where);
  r.optimizer.beta_2 = field<double>(o, "beta_2", where);
  r.optimizer.epsilon = field<double>(o, "epsilon", where);
  r.optimizer_iterations = field<std::int64_t>(o, "iterations", where);
  // Checkpoints from before learning-rate schedules have no decay_steps: a constant rate.
  if (o.contains("decay_steps"))
    r.optimizer.decay_steps = field<std::int64_t>(o, "decay_steps", where);
  try {
    r.optimizer.validate();
  } catch (const InvalidArgument& e) {
    throw FormatError(fmt::format("{}: {}", where, e.what()));
  }
  r.batch_size = field<std::int64_t>(j, "batch_size", where);
  r.data = field<std::string>(j, "data", where);
  r.limit_train = field<std::int64_t>(j, "limit_train", where);
  r.limit_test = field<std::int64_t>(j, "limit_test", where);
  r.input_shape = field<Shape>(j, "input_shape", where);
  r.epochs_done = field<std::int64_t>(j, "epochs_done", where);
  if (r.batch_size < 1 || r.limit_train < 0 || r.limit_test < 0 || r.epochs_done < 0 ||
      r.optimizer_iterations < 0) {
    throw FormatError(
        fmt::format("{}: the run record has a negative count or a batch size < 1", where));
  }
  for (const nlohmann::json& e : field<nlohmann::json>(j, "history", where)) {
    r.history.push_back(epoch_from_json(e, where));
  }
  return r;
}

void save_run(const std::filesystem::path& dir, const Network& network, const Optimizer& optimizer,
              const RunRecord& record) {
  io::Checkpoint c;
  c.model_spec = model::format_model_spec(network.resolved().architecture);
  RunRecord r = record;
  r.optimizer = optimizer.settings();
  r.optimizer_iterations = optimizer.iterations();
  r.input_shape = network.input_shape();
  c.metadata = record_json(r);
  for (const Parameter* p : network.parameters()) c.tensors.emplace_back(p->name, p->value);
  for (auto& [name, value] : optimizer.slots()) {
    std::string full(kSlotPrefix);
    full += name;
    c.tensors.emplace_back(std::move(full), value);
  }
  io::save_checkpoint(dir, c);
}

SavedRun load_run(const std::filesystem::path& dir) {
  SavedRun run;
  run.checkpoint = io::load_checkpoint(dir);
  const std::string where = (dir / io::kCheckpointManifest).string();
  run.record = record_from_json(run.checkpoint.metadata, where);
  try {
    run.architecture = model::parse_model_spec(run.checkpoint.model_spec, run.record.model_name);
  } catch (const Error& e) {
    throw FormatError(fmt::format("{}: the model spec does not parse: {}", where, e.what()));
  }
  return run;
}

void restore_weights(Network& network, const SavedRun& run) {
  std::set<std::string> seen;
  for (const auto& [name, value] : run.checkpoint.tensors) {
    if (name.starts_with(kSlotPrefix)) continue;
    Parameter* p = network.find_parameter(name);
    if (p == nullptr) {
      throw FormatError(fmt::format(
          "checkpoint: weight '{}' is not a parameter of model '{}' (a checkpoint of another "
          "model?)",
          name, network.resolved().architecture.name));
    }
    if (value.shape() != p->value.shape()) {
      throw FormatError(fmt::format("checkpoint: weight '{}' has shape {}, the model needs {}",
                                    name, format_shape(value.shape()),
                                    format_shape(p->value.shape())));
    }
    p->value = value;
    seen.insert(name);
  }
  for (const Parameter* p : network.parameters()) {
    if (!seen.contains(p->name)) {
      throw FormatError(fmt::format("checkpoint: has no weight '{}' of model '{}'", p->name,
                                    network.resolved().architecture.name));
    }
  }
}

Network restore_network(const SavedRun& run) {
  NetworkOptions options;
  options.input_shape = run.record.input_shape;
  options.seed = run.record.seed;
  options.initializer = run.record.initializer;
  Network network(run.architecture, options);
  restore_weights(network, run);
  return network;
}

Optimizer restore_optimizer(const Network& network, const SavedRun& run) {
  Optimizer optimizer(run.record.optimizer);
  std::vector<std::pair<std::string, Tensor>> slots;
  for (const auto& [name, value] : run.checkpoint.tensors) {
    if (!name.starts_with(kSlotPrefix)) continue;
    std::string slot = name.substr(kSlotPrefix.size());
    const std::size_t slash = slot.rfind('/');
    const Parameter* p =
        slash == std::string::npos ? nullptr : network.find_parameter(slot.substr(0, slash));
    if (p == nullptr || value.shape() != p->value.shape()) {
      throw FormatError(
          fmt::format("checkpoint: optimizer slot '{}' fits no parameter of model '{}'", name,
                      network.resolved().architecture.name));
    }
    slots.emplace_back(std::move(slot), value);
  }
  optimizer.set_state(run.record.optimizer_iterations, std::move(slots));
  return optimizer;
}

}  // namespace strider::train
