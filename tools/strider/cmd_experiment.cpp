// strider experiment: trains one CNN in several downsampling variants (or the variants --vary
// asks for) on Fashion-MNIST, and reports accuracy against cost in a live table, report.md,
// results.csv and plots. Finished runs are saved as they complete; rerunning skips them.
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "strider/core/error.hpp"
#include "strider/experiment/experiment.hpp"
#include "strider/experiment/report.hpp"
#include "strider/model/load.hpp"
#include "strider/model/spec.hpp"
#include "train_args.hpp"

namespace strider::cli {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_interrupt(int) { g_stop.store(true); }

struct ExperimentArgs {
  bool quick = false;
  std::string model, data = "fashion-mnist", out = "experiment";
  std::vector<std::string> vary;
  std::int64_t epochs = 15, repeats = 3, batch = 64, train_limit = 0, test_limit = 0;
  std::string optimizer = "adam", lr_schedule = "cosine";
  double lr = 0, width = 1.0;
  std::uint64_t seed = 1;
  int threads = 0;
  bool no_latency = false;
  CLI::App* command = nullptr;
  bool given(const char* option) const { return command->count(option) > 0; }
};

// The table a terminal shows while the experiment runs: one line per variant, redrawn in place.
class LiveTable {
 public:
  LiveTable(const std::vector<experiment::Variant>& variants, bool tty)
      : tty_(tty), lines_(variants.size()), names_() {
    for (const auto& v : variants) names_.push_back(v.name);
    for (std::size_t i = 0; i < lines_.size(); ++i) lines_[i] = "waiting";
    if (tty_) draw(true);
  }

  void update(const experiment::Progress& p) {
    std::string& line = lines_[p.variant];
    using Stage = experiment::Progress::Stage;
    const std::string run = fmt::format("seed {}/{}", p.repeat + 1, p.repeats);
    if (p.stage == Stage::kMeasuring) {
      line = "measuring cost and latency";
    } else if (p.stage == Stage::kResumed) {
      line = fmt::format("{} resumes after epoch {}, from the checkpoint of an interrupted run",
                         run, p.resumed_epochs);
      if (!tty_) fmt::print(stderr, "{}: {}\n", names_[p.variant], line);
    } else if (p.stage == Stage::kTraining && p.batch != nullptr) {
      const auto& b = *p.batch;
      constexpr int kWidth = 20;
      const double done =
          b.total > 0 ? static_cast<double>(b.examples) / static_cast<double>(b.total) : 1.0;
      std::string bar(static_cast<std::size_t>(done * kWidth), '=');
      bar.resize(kWidth, ' ');
      const double rate = b.seconds > 0 ? static_cast<double>(b.examples) / b.seconds : 0.0;
      line = fmt::format("{} epoch {}/{} [{}] {:.0f} img/s loss {:.4f} acc {:.4f}", run, b.epoch,
                         b.epochs, bar, rate, b.loss, b.accuracy);
      if (!tty_) {
        if (b.examples == b.total) fmt::print(stderr, "{}: {}\n", names_[p.variant], line);
        return;
      }
      if (b.examples < b.total && !due()) return;
    } else if (p.run != nullptr) {
      accuracies_.resize(lines_.size());
      accuracies_[p.variant].push_back(p.run->test_accuracy);
      double sum = 0;
      for (double a : accuracies_[p.variant]) sum += a;
      line = fmt::format("{} {}: test accuracy {:.2f} % (mean so far {:.2f} %)", run,
                         p.stage == Stage::kSkipped ? "saved" : "done", 100 * p.run->test_accuracy,
                         100 * sum / static_cast<double>(accuracies_[p.variant].size()));
      if (!tty_) fmt::print(stderr, "{}: {}\n", names_[p.variant], line);
    }
    if (tty_) draw(false);
  }

  void finish() {
    if (tty_) {
      draw(false);
      std::fflush(stderr);
    }
  }

 private:
  bool due() {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100)) return false;
    last_ = now;
    return true;
  }

  void draw(bool first) const {
    std::size_t width = 8;
    for (const auto& n : names_) width = std::max(width, n.size());
    if (!first) fmt::print(stderr, "\x1b[{}A", lines_.size());
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      fmt::print(stderr, "\r\x1b[K{:<{}}  {}\n", names_[i], width, lines_[i]);
    }
    std::fflush(stderr);
  }

  bool tty_;
  std::vector<std::string> lines_, names_;
  std::vector<std::vector<double>> accuracies_;
  std::chrono::steady_clock::time_point last_{};
};

std::vector<experiment::Variant> variants_of(const ExperimentArgs& a) {
  std::vector<experiment::Vary> varies;
  for (const std::string& v : a.vary) varies.push_back(experiment::parse_vary(v));
  if (a.model.empty()) {
    if (varies.empty()) return experiment::builtin_variants(a.width);
    return experiment::vary_variants(
        model::parse_model_spec(experiment::base_spec(a.width), "base"), varies);
  }
  if (varies.empty()) {
    throw InvalidArgument(
        "--vary: required with --model (say what to compare, e.g. --vary conv2.strides=1,2)");
  }
  if (a.given("--width")) throw InvalidArgument("--width: only for the built-in base model");
  return experiment::vary_variants(model::load_model(a.model), varies);
}

void run_experiment_command(ExperimentArgs& a) {
  if (a.quick) {
    // Quick: a quarter-width base, 12000/2000 images, three epochs at a higher learning rate,
    // two seeds: a few minutes on two cores, and the variants still separate. Batches of 32
    // give BatchNorm's moving statistics (momentum 0.99) over a thousand updates to forget
    // their initial values; in fewer, the test set is classified with the wrong scale.
    if (!a.given("--width")) a.width = 0.25;
    if (!a.given("--epochs")) a.epochs = 3;
    if (!a.given("--repeats")) a.repeats = 2;
    if (!a.given("--batch")) a.batch = 32;
    if (!a.given("--limit-train")) a.train_limit = 12000;
    if (!a.given("--limit-test")) a.test_limit = 2000;
    if (!a.given("--lr") && a.optimizer == "adam") a.lr = 0.003;
  }
  experiment::Settings s;
  s.data = a.data;
  s.epochs = a.epochs;
  s.repeats = a.repeats;
  s.batch_size = a.batch;
  s.train_limit = a.train_limit;
  s.test_limit = a.test_limit;
  s.optimizer = a.optimizer;
  s.learning_rate = a.lr;
  s.lr_schedule = a.lr_schedule;
  s.seed = a.seed;
  s.measure_latency = !a.no_latency;
  s.validate();
  const std::vector<experiment::Variant> variants = variants_of(a);
  const int threads = set_threads(a.threads);
  const data::TrainTest data = load_data(a.data, a.train_limit, a.test_limit);
  for (const auto& v : variants) {
    static_cast<void>(data_input_shape(v.architecture, data.train, a.data));
  }
  const std::filesystem::path dir = a.out;
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_directory(dir, ec)) {
    throw IoError(fmt::format("--out: '{}' exists and is not a directory", a.out));
  }
  if (!dir.parent_path().empty() && !std::filesystem::is_directory(dir.parent_path(), ec)) {
    throw IoError(fmt::format("--out: directory '{}' does not exist", dir.parent_path().string()));
  }

  fmt::print(stderr,
             "strider experiment: {} variants x {} seeds, {} training and {} test images, "
             "{} epochs, batch {}, {} threads; results in {}/\n",
             variants.size(), s.repeats, data.train.labels.size(), data.test.labels.size(),
             s.epochs, s.batch_size, threads, a.out);
  LiveTable table(variants, ::isatty(STDERR_FILENO) != 0);
  g_stop.store(false);
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  struct sigaction previous {};
  sigaction(SIGINT, &action, &previous);
  const auto started = std::chrono::steady_clock::now();
  std::vector<experiment::VariantResult> results;
  std::size_t loaded = 0;  // runs saved by an earlier invocation
  const auto on_progress = [&](const experiment::Progress& p) {
    if (p.stage == experiment::Progress::Stage::kSkipped) ++loaded;
    table.update(p);
  };
  try {
    results = experiment::run_experiment(variants, s, dir, data, {on_progress, &g_stop});
  } catch (const experiment::Interrupted&) {
    sigaction(SIGINT, &previous, nullptr);
    table.finish();
    fmt::print(stderr,
               "strider: interrupted; every finished run is saved in {}/runs; run the same command "
               "again to continue\n",
               a.out);
    throw ExitStatus{130};
  }
  sigaction(SIGINT, &previous, nullptr);
  table.finish();
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // Runs saved by earlier invocations took time this one did not: report their sum too.
  double trained = 0;
  std::size_t runs = 0;
  for (const auto& r : results) {
    for (const auto& run : r.runs) {
      ++runs;
      for (const auto& e : run.history) trained += e.seconds + e.test_seconds;
    }
  }
  const std::string timing =
      loaded == 0 ? fmt::format("Wall time {:.0f} s", wall)
                  : fmt::format(
                        "Wall time {:.0f} s, with {} of the {} runs saved by an earlier "
                        "invocation; training and testing took {:.0f} s over all runs",
                        wall, loaded, runs, trained);
  std::vector<std::string> title = {
      fmt::format(
          "Data: {} ({} training, {} test images). {} epochs, batch {}, {} (learning rate "
          "{}, {} schedule), {} seeds from {}. {} threads. {}{}.",
          data.name, data.train.labels.size(), data.test.labels.size(), s.epochs, s.batch_size,
          s.optimizer,
          s.learning_rate > 0 ? fmt::format("{}", s.learning_rate) : std::string("Keras default"),
          s.lr_schedule, s.repeats, s.seed, threads, timing,
          a.quick ? " (--quick: a quarter-width model on part of the data)" : ""),
      "",
      fmt::format("Base model: `{}`", a.model.empty() ? experiment::base_spec(a.width) : a.model)};
  const auto written = experiment::write_report(dir, results, title);
  const experiment::Recommendation rec = experiment::recommend(results);
  fmt::print("{:<16} {:>18} {:>8} {:>10} {:>10} {:>12}\n", "variant", "test accuracy %", "params",
             "MACs", "RF", "ms/image");
  for (const auto& r : results) {
    fmt::print("{:<16} {:>10.2f} ± {:<5.2f} {:>8} {:>10} {:>10} {:>12.3f}\n", r.variant.name,
               100 * r.mean_accuracy(), 100 * r.accuracy_spread(), r.facts.params, r.facts.macs,
               fmt::format("{}x{}", r.facts.receptive_field[0], r.facts.receptive_field[1]),
               r.facts.latency_ms_batch1);
  }
  fmt::print("\n{}\n\nReport: {}\n", rec.text, (dir / "report.md").string());
}

}  // namespace

void add_experiment_command(CLI::App& app) {
  auto a = std::make_shared<ExperimentArgs>();
  CLI::App* cmd = app.add_subcommand(
      "experiment",
      "Find the best strides by experiment: train the same CNN in several downsampling variants\n"
      "on Fashion-MNIST and compare accuracy (mean ± sd over seeds) against cost (parameters,\n"
      "MACs, activation memory, latency), with receptive fields and lint findings.\n"
      "Default variants: stride2, stride2-valid, stride4 (stride > kernel), maxpool, dilation2,\n"
      "stride1. --vary LAYER.KEY=V1,V2 compares your own settings instead (several --vary: "
      "every\n"
      "combination), over the built-in base or --model. Writes OUT/report.md, results.csv and\n"
      "plots (SVG and PNG). Finished runs are kept in OUT/runs: rerunning skips them, Ctrl-C\n"
      "loses none, and a changed setting is trained again.\n"
      "Example: strider experiment --quick\n"
      "         strider experiment --vary conv2.strides=1,2,3 --vary conv2.padding=same,valid");
  a->command = cmd;
  cmd->add_flag("--quick", a->quick,
                "A run of a few minutes: quarter-width model, 12000/2000 images, 3 epochs of "
                "batches of 32 from learning rate 0.003 (adam), 2 seeds");
  cmd->add_option("--model", a->model, "Base model to --vary: spec string, spec file, Keras JSON");
  cmd->add_option("--vary", a->vary, "LAYER.KEY=V1,V2,... (repeatable), e.g. conv2.strides=1,2,3");
  cmd->add_option("--out", a->out, "Directory for the report and saved runs")
      ->capture_default_str();
  cmd->add_option("--data", a->data, "fashion-mnist | mnist:DIR | DIR")->capture_default_str();
  cmd->add_option("--epochs", a->epochs, "Epochs per run")->capture_default_str();
  cmd->add_option("--repeats", a->repeats, "Seeds per variant")->capture_default_str();
  cmd->add_option("--batch", a->batch, "Batch size")->capture_default_str();
  cmd->add_option("--limit-train", a->train_limit, "Use the first N training images (0: all)");
  cmd->add_option("--limit-test", a->test_limit, "Use the first N test images (0: all)");
  cmd->add_option("--optimizer", a->optimizer, "adam | sgd")->capture_default_str();
  cmd->add_option("--lr", a->lr, "Learning rate (default: Keras's for the optimizer)");
  cmd->add_option("--lr-schedule", a->lr_schedule,
                  "constant, or cosine: the rate falls along half a cosine to 0 by the last epoch")
      ->capture_default_str();
  cmd->add_option("--seed", a->seed, "First seed; repeats use seed, seed+1, ...")
      ->capture_default_str();
  cmd->add_option("--width", a->width, "Filter-count multiplier of the built-in base model")
      ->capture_default_str();
  cmd->add_option("--threads", a->threads, "OpenMP threads (0: every core)")->capture_default_str();
  cmd->add_flag("--no-latency", a->no_latency, "Skip the latency measurement");
  cmd->callback([a] { run_experiment_command(*a); });
}

}  // namespace strider::cli
