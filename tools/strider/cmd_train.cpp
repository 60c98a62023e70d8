// strider train: fits a model (spec, Keras JSON or built-in) to an image dataset with softmax
// cross-entropy, printing each epoch's results (a progress bar on a terminal), checkpointing after
// every epoch and resuming from the last checkpoint.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "commands.hpp"
#include "strider/core/error.hpp"
#include "strider/core/parse.hpp"
#include "strider/model/load.hpp"
#include "strider/model/spec.hpp"
#include "strider/train/fit.hpp"
#include "strider/train/run_state.hpp"
#include "train_args.hpp"

namespace strider::cli {
namespace {

struct TrainCommand {
  std::string model, data = "fashion-mnist", optimizer = "adam", init = "glorot_uniform";
  std::string checkpoint, lr_schedule = "constant";
  std::int64_t epochs = 1, batch = 64, limit_train = 0, limit_test = 0;
  double lr = 0.0, momentum = 0.0;
  bool nesterov = false, resume = false, json = false, profile = false;
  std::uint64_t seed = 0;
  int threads = 0;
  // Which options the user gave (a resumed run refuses ones that contradict its checkpoint).
  CLI::Option *model_opt = nullptr, *data_opt = nullptr, *optimizer_opt = nullptr,
              *lr_opt = nullptr, *momentum_opt = nullptr, *nesterov_opt = nullptr,
              *seed_opt = nullptr, *batch_opt = nullptr, *init_opt = nullptr,
              *limit_train_opt = nullptr, *limit_test_opt = nullptr, *lr_schedule_opt = nullptr;

  void run() const;
  train::RunRecord fresh_record() const;
  void check_resume(const train::SavedRun& saved) const;
};

template <class T>
void same_or_fail(const CLI::Option* option, const T& given, const T& saved,
                  const std::string& saved_text) {
  if (option != nullptr && option->count() > 0 && !(given == saved)) {
    throw InvalidArgument(fmt::format(
        "{}: the checkpoint's run used {}; a resumed run keeps its settings (drop the option or "
        "choose another --checkpoint directory)",
        option->get_name(), saved_text));
  }
}

train::RunRecord TrainCommand::fresh_record() const {
  train::RunRecord r;
  r.seed = seed;
  r.initializer = train::parse_initializer(init, "--init");
  r.optimizer = train::OptimizerSettings::defaults(optimizer);
  if (lr_opt->count() > 0) r.optimizer.learning_rate = lr;
  if (momentum_opt->count() > 0 || nesterov) {
    if (r.optimizer.name != "sgd") {
      throw InvalidArgument("--momentum/--nesterov: apply to --optimizer sgd only");
    }
    r.optimizer.momentum = momentum;
    r.optimizer.nesterov = nesterov;
  }
  r.optimizer.validate();
  train::validate_lr_schedule(lr_schedule);  // the name, before the data
  r.batch_size = batch;
  r.data = data;
  r.limit_train = limit_train;
  r.limit_test = limit_test;
  return r;
}

void TrainCommand::check_resume(const train::SavedRun& saved) const {
  const train::RunRecord& r = saved.record;
  if (model_opt->count() > 0) {
    const std::string given = model::format_model_spec(model::load_model(model));
    if (given != saved.checkpoint.model_spec) {
      throw InvalidArgument(fmt::format(
          "--model: the checkpoint in '{}' holds another model ('{}'); resume it without --model "
          "or choose another --checkpoint directory",
          checkpoint, r.model_name));
    }
  }
  same_or_fail(data_opt, data, r.data, r.data);
  same_or_fail(optimizer_opt, optimizer, r.optimizer.name, r.optimizer.name);
  same_or_fail(lr_opt, lr, r.optimizer.learning_rate, fmt::format("{}", r.optimizer.learning_rate));
  same_or_fail(momentum_opt, momentum, r.optimizer.momentum,
               fmt::format("{}", r.optimizer.momentum));
  same_or_fail(nesterov_opt, nesterov, r.optimizer.nesterov, r.optimizer.nesterov ? "it" : "none");
  const std::string saved_schedule = r.optimizer.decay_steps > 0 ? "cosine" : "constant";
  same_or_fail(lr_schedule_opt, lr_schedule, saved_schedule, saved_schedule);
  same_or_fail(seed_opt, seed, r.seed, std::to_string(r.seed));
  same_or_fail(batch_opt, batch, r.batch_size, std::to_string(r.batch_size));
  same_or_fail(init_opt, init, std::string(train::initializer_name(r.initializer)),
               std::string(train::initializer_name(r.initializer)));
  same_or_fail(limit_train_opt, limit_train, r.limit_train, std::to_string(r.limit_train));
  same_or_fail(limit_test_opt, limit_test, r.limit_test, std::to_string(r.limit_test));
}

// The progress line on a terminal: redrawn at most ten times a second.
class ProgressBar {
 public:
  void update(const train::BatchProgress& p) {
    const auto now = std::chrono::steady_clock::now();
    if (p.examples < p.total && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    constexpr int kWidth = 24;
    const double done =
        p.total > 0 ? static_cast<double>(p.examples) / static_cast<double>(p.total) : 1.0;
    const int filled = static_cast<int>(done * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '=');
    if (filled < kWidth) bar += '>';
    bar.resize(kWidth, ' ');
    const double rate = p.seconds > 0.0 ? static_cast<double>(p.examples) / p.seconds : 0.0;
    const double eta = rate > 0.0 ? static_cast<double>(p.total - p.examples) / rate : 0.0;
    std::fprintf(
        stderr,
        "\r\x1b[Kepoch %lld/%lld [%s] %lld/%lld  %.0f img/s  loss %.4f  acc %.4f  ETA %.0f s",
        static_cast<long long>(p.epoch), static_cast<long long>(p.epochs), bar.c_str(),
        static_cast<long long>(p.examples), static_cast<long long>(p.total), rate, p.loss,
        p.accuracy, eta);
    std::fflush(stderr);
  }
  void clear() const {
    std::fprintf(stderr, "\r\x1b[K");
    std::fflush(stderr);
  }

 private:
  std::chrono::steady_clock::time_point last_{};
};

void print_epoch(const train::EpochResult& r, std::int64_t epochs) {
  std::string line = fmt::format("epoch {}/{}  loss {}  accuracy {}", r.epoch, epochs,
                                 fraction_text(r.loss), fraction_text(r.accuracy));
  if (r.test_accuracy) {
    line += fmt::format("  test_loss {}  test_accuracy {}", fraction_text(*r.test_loss),
                        fraction_text(*r.test_accuracy));
  }
  line += fmt::format("  {:.1f} s  {:.0f} images/s", r.seconds, r.images_per_second);
  fmt::print("{}\n", line);
  std::fflush(stdout);
}

// One epoch's per-layer times (Network::layer_times) per training step, with the GFLOP/s each
// pass reached (2 FLOP per MAC over the epoch's images) and the share of the step; what the
// layers do not account for (the loss, the optimizer, the batch's copy) is "other".
struct LayerProfile {
  std::string name;
  double forward_ms = 0.0, backward_ms = 0.0;
  std::optional<double> forward_gflops, backward_gflops;
};

struct EpochProfile {
  std::int64_t steps = 0;
  double step_ms = 0.0, other_ms = 0.0;
  std::vector<LayerProfile> layers;
};

EpochProfile epoch_profile(const train::Network& network, const train::EpochResult& r) {
  EpochProfile p;
  p.steps = std::max<std::int64_t>(1, network.profiled_steps());
  const double steps = static_cast<double>(p.steps);
  const double images = r.images_per_second * r.seconds;
  p.step_ms = r.seconds * 1e3 / steps;
  p.other_ms = p.step_ms;
  for (const train::Network::LayerTime& t : network.layer_times()) {
    LayerProfile l{
        t.name, t.forward_seconds * 1e3 / steps, t.backward_seconds * 1e3 / steps, {}, {}};
    const double flop = 2.0 * static_cast<double>(t.macs) * images;
    if (t.macs > 0 && t.forward_seconds > 0.0) l.forward_gflops = flop / t.forward_seconds / 1e9;
    if (t.macs > 0 && t.backward_passes > 0 && t.backward_seconds > 0.0) {
      l.backward_gflops = flop * t.backward_passes / t.backward_seconds / 1e9;
    }
    p.other_ms -= l.forward_ms + l.backward_ms;
    p.layers.push_back(std::move(l));
  }
  return p;
}

nlohmann::json profile_json(const EpochProfile& p) {
  nlohmann::json layers = nlohmann::json::array();
  for (const LayerProfile& l : p.layers) {
    nlohmann::json j = {
        {"name", l.name}, {"forward_ms", l.forward_ms}, {"backward_ms", l.backward_ms}};
    if (l.forward_gflops) j["forward_gflops"] = *l.forward_gflops;
    if (l.backward_gflops) j["backward_gflops"] = *l.backward_gflops;
    layers.push_back(std::move(j));
  }
  return {{"steps", p.steps},
          {"step_ms", p.step_ms},
          {"other_ms", p.other_ms},
          {"layers", std::move(layers)}};
}

void print_profile(const EpochProfile& p) {
  const auto gflops = [](const std::optional<double>& g) {
    return g ? fmt::format("{:.0f}", *g) : std::string("-");
  };
  const auto share = [&](double ms) { return 100.0 * ms / p.step_ms; };
  fmt::print("  per step ({} steps): {:.3f} ms\n", p.steps, p.step_ms);
  fmt::print("  {:<24}{:>12}{:>9}{:>13}{:>9}{:>8}\n", "layer", "forward ms", "GFLOP/s",
             "backward ms", "GFLOP/s", "share");
  for (const LayerProfile& l : p.layers) {
    fmt::print("  {:<24}{:>12.3f}{:>9}{:>13.3f}{:>9}{:>7.1f}%\n", l.name, l.forward_ms,
               gflops(l.forward_gflops), l.backward_ms, gflops(l.backward_gflops),
               share(l.forward_ms + l.backward_ms));
  }
  fmt::print("  {:<24}{:>12}{:>9}{:>13}{:>9}{:>7.1f}%\n", "other (loss, optimizer)", "", "", "", "",
             share(p.other_ms));
  std::fflush(stdout);
}

void TrainCommand::run() const {
  if (epochs < 1) throw InvalidArgument(fmt::format("--epochs: must be >= 1, got {}", epochs));
  if (batch < 1) throw InvalidArgument(fmt::format("--batch: must be >= 1, got {}", batch));
  if (resume && checkpoint.empty()) {
    throw InvalidArgument("--resume: needs --checkpoint DIR (the run to continue)");
  }
  const int thread_count = set_threads(threads);
  keep_freed_memory();

  std::optional<train::SavedRun> saved;
  if (!checkpoint.empty() && io::checkpoint_exists(checkpoint)) {
    if (!resume) {
      throw InvalidArgument(fmt::format(
          "--checkpoint: '{}' already holds a checkpoint; add --resume to continue it, or choose "
          "another directory",
          checkpoint));
    }
    saved = train::load_run(checkpoint);
    check_resume(*saved);
  } else if (model.empty()) {
    throw InvalidArgument(
        "--model: required (a spec string, a spec or Keras JSON file, or a "
        "built-in name)");
  }
  // A fresh run validates every setting and the model before the data is read.
  train::RunRecord record = saved ? saved->record : fresh_record();
  std::optional<model::Architecture> arch;
  if (!saved) {
    arch = model::load_model(model);
    // Checkpoints hold the model as spec text: refuse what it cannot hold before training.
    try {
      (void)model::format_model_spec(*arch);
    } catch (const InvalidArgument& e) {
      throw InvalidArgument(fmt::format("--model: {}", e.what()));
    }
  }

  const data::TrainTest sets = load_data(record.data, record.limit_train, record.limit_test);
  std::optional<train::Network> network;
  std::optional<train::Optimizer> opt;
  if (saved) {
    if (saved->record.optimizer.decay_steps > 0) {
      // The schedule spans --epochs: the same epochs resume it exactly, more stretch it.
      saved->record.optimizer.decay_steps =
          train::decay_steps_for("cosine", static_cast<std::int64_t>(sets.train.labels.size()),
                                 record.batch_size, std::max(epochs, record.epochs_done));
      record.optimizer.decay_steps = saved->record.optimizer.decay_steps;
    }
    network.emplace(train::restore_network(*saved));
    opt.emplace(train::restore_optimizer(*network, *saved));
  } else {
    record.model_name = arch->name;
    train::NetworkOptions options;
    options.seed = record.seed;
    options.initializer = record.initializer;
    options.input_shape = data_input_shape(*arch, sets.train, record.data);
    network.emplace(*arch, options);
    // The schedule spans the epochs asked for now; a resumed run keeps it as saved.
    record.optimizer.decay_steps =
        train::decay_steps_for(lr_schedule, static_cast<std::int64_t>(sets.train.labels.size()),
                               record.batch_size, epochs);
    opt.emplace(record.optimizer);
  }
  check_classes(*network, sets.train, record.data);
  if (record.epochs_done >= epochs) {
    if (!json) {
      fmt::print("'{}' has trained {} epochs already (--epochs {}): nothing to do\n", checkpoint,
                 record.epochs_done, epochs);
    }
    return;
  }

  if (!json) {
    const model::ResolvedModel& m = network->resolved();
    fmt::print(
        "model {}: {} parameters, {} MACs per image; data {}: {} training, {} test images\n"
        "{} (learning rate {}{}), batch {}, seed {}, {} thread{}{}\n",
        m.architecture.name, format_count(m.params), format_count(m.macs), sets.name,
        format_count(static_cast<std::int64_t>(sets.train.labels.size())),
        format_count(static_cast<std::int64_t>(sets.test.labels.size())), record.optimizer.name,
        record.optimizer.learning_rate,
        record.optimizer.decay_steps > 0
            ? fmt::format(", cosine decay to 0 over {} steps", record.optimizer.decay_steps)
            : std::string(),
        record.batch_size, record.seed, thread_count, thread_count == 1 ? "" : "s",
        saved ? fmt::format("; resuming after epoch {}", record.epochs_done) : std::string());
    std::fflush(stdout);
  }
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  auto bar = std::make_shared<ProgressBar>();
  train::FitOptions fit;
  fit.epochs = epochs;
  fit.initial_epoch = record.epochs_done;
  fit.batch_size = record.batch_size;
  fit.seed = record.seed;
  if (tty) fit.on_batch = [bar](const train::BatchProgress& p) { bar->update(p); };
  if (profile) network->set_profiling(true);
  fit.on_epoch = [&](const train::EpochResult& r) {
    if (tty) bar->clear();
    record.history.push_back(r);
    record.epochs_done = r.epoch;
    if (!checkpoint.empty()) train::save_run(checkpoint, *network, *opt, record);
    std::optional<EpochProfile> times;
    if (profile) {
      times = epoch_profile(*network, r);
      network->reset_layer_times();
    }
    if (json) {
      nlohmann::json line = train::epoch_json(r);
      if (times) line["profile"] = profile_json(*times);
      fmt::print("{}\n", line.dump());
      std::fflush(stdout);
    } else {
      print_epoch(r, epochs);
      if (times) print_profile(*times);
    }
  };
  try {
    train::fit(*network, *opt, sets.train, &sets.test, fit);
  } catch (...) {
    if (tty) bar->clear();
    throw;
  }
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "train",
      "Train a model on an image dataset (softmax cross-entropy), printing each epoch's loss and "
      "accuracy and the test set's; checkpoint after every epoch and resume.");
  auto c = std::make_shared<TrainCommand>();
  c->model_opt = cmd->add_option("--model", c->model,
                                 "Model: a spec string, a spec or Keras JSON file, or a built-in "
                                 "name (e.g. 'input(28,28,1); conv(32,3,activation=relu); gap; "
                                 "dense(10)')");
  c->data_opt = cmd->add_option("--data", c->data,
                                "fashion-mnist (Debian's dataset-fashion-mnist), mnist:DIR or a "
                                "directory of MNIST-format IDX files")
                    ->capture_default_str();
  cmd->add_option("--epochs", c->epochs, "Train until this many epochs are done")
      ->capture_default_str();
  c->batch_opt = cmd->add_option("--batch", c->batch, "Batch size")->capture_default_str();
  c->optimizer_opt = cmd->add_option("--optimizer", c->optimizer, "adam or sgd (Keras's defaults)")
                         ->capture_default_str();
  c->lr_opt = cmd->add_option("--lr", c->lr, "Learning rate (default: adam 0.001, sgd 0.01)");
  c->lr_schedule_opt =
      cmd->add_option("--lr-schedule", c->lr_schedule,
                      "constant, or cosine: the learning rate falls along half a cosine to 0 at "
                      "the end of --epochs (Keras's CosineDecay); resuming with more --epochs "
                      "stretches it")
          ->capture_default_str();
  c->momentum_opt = cmd->add_option("--momentum", c->momentum, "SGD momentum (default 0)");
  c->nesterov_opt = cmd->add_flag("--nesterov", c->nesterov, "SGD with Nesterov momentum");
  c->init_opt = cmd->add_option("--init", c->init,
                                "Kernel initialiser: glorot_uniform, he_normal or he_uniform")
                    ->capture_default_str();
  c->seed_opt = cmd->add_option("--seed", c->seed,
                                "Seed of the initial weights, shuffling and dropout (same seed "
                                "and thread count: the same weights bit for bit)")
                    ->capture_default_str();
  cmd->add_option("--threads", c->threads, "Threads (default: every core)");
  c->limit_train_opt = cmd->add_option("--limit-train", c->limit_train,
                                       "Use only the first N training images (0: all)");
  c->limit_test_opt =
      cmd->add_option("--limit-test", c->limit_test, "Use only the first N test images (0: all)");
  cmd->add_option("--checkpoint", c->checkpoint,
                  "Directory to save a checkpoint to after every epoch");
  cmd->add_flag("--resume", c->resume,
                "Continue the run saved in --checkpoint (starts afresh when there is none)");
  cmd->add_flag("--profile", c->profile,
                "After each epoch, each layer's forward and backward time per step, the GFLOP/s "
                "it reached and its share of the step (with --json: a \"profile\" object); "
                "batches stay whole, every layer on all threads, so that each layer is timed");
  cmd->add_flag("--json", c->json,
                "Print one JSON object per epoch (epoch, seconds, loss, accuracy, test_loss, "
                "test_accuracy, ...) on its own line instead");
  cmd->callback([c] { c->run(); });
}

}  // namespace strider::cli
