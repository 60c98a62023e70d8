// The experiment loop: facts from geometry, training runs from the trainer, each run saved on
// disk under a key of everything that changes its result.
#include "strider/experiment/experiment.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string_view>

#include "strider/analysis/lint.hpp"
#include "strider/analysis/receptive_field.hpp"
#include "strider/analysis/summary.hpp"
#include "strider/core/error.hpp"
#include "strider/io/atomic_file.hpp"
#include "strider/model/resolve.hpp"
#include "strider/model/spec.hpp"
#include "strider/train/network.hpp"
#include "strider/train/optimizer.hpp"
#include "strider/train/run_state.hpp"

namespace strider::experiment {
namespace {

constexpr std::string_view kRunFormat = "strider-experiment-run 1";

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

bool is_convolution(model::LayerKind kind) {
  using model::LayerKind;
  return kind == LayerKind::kConv1D || kind == LayerKind::kConv2D ||
         kind == LayerKind::kConv2DTranspose || kind == LayerKind::kDepthwiseConv2D ||
         kind == LayerKind::kSeparableConv2D;
}

// A directory name for a variant: its name with anything but [A-Za-z0-9._=,+-] replaced.
std::string slug(const std::string& name) {
  std::string s = name;
  for (char& c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '=' || c == ',' || c == '+' || c == '-';
    if (!ok) c = '_';
  }
  return s.empty() || s[0] == '.' ? "_" + s : s;
}

std::filesystem::path run_path(const std::filesystem::path& dir, const Variant& v,
                               std::uint64_t seed) {
  return dir / "runs" / slug(v.name) / fmt::format("seed-{}.json", seed);
}

// The saved run, when its file exists, parses and carries `key`; nothing otherwise (a stale or
// damaged file is trained again and replaced).
std::optional<Run> load_run(const std::filesystem::path& path, const std::string& key) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  try {
    const std::vector<std::byte> bytes = io::read_file(path);
    const auto j =
        nlohmann::json::parse(reinterpret_cast<const char*>(bytes.data()),
                              reinterpret_cast<const char*>(bytes.data()) + bytes.size());
    if (j.at("format") != kRunFormat || j.at("key") != key) return std::nullopt;
    Run run;
    run.seed = j.at("seed").get<std::uint64_t>();
    run.test_accuracy = j.at("test_accuracy").get<double>();
    run.test_loss = j.at("test_loss").get<double>();
    run.seconds_per_epoch = j.at("seconds_per_epoch").get<double>();
    for (const auto& e : j.at("history")) {
      run.history.push_back(train::epoch_from_json(e, path.string()));
    }
    return run;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void save_run_file(const std::filesystem::path& path, const std::string& key, const Run& run,
                   const Variant& variant) {
  nlohmann::ordered_json j;
  j["format"] = kRunFormat;
  j["key"] = key;
  j["variant"] = variant.name;
  j["seed"] = run.seed;
  j["test_accuracy"] = run.test_accuracy;
  j["test_loss"] = run.test_loss;
  j["seconds_per_epoch"] = run.seconds_per_epoch;
  j["history"] = nlohmann::ordered_json::array();
  for (const train::EpochResult& e : run.history) j["history"].push_back(train::epoch_json(e));
  j["model_spec"] = model::format_model_spec(variant.architecture);
  std::filesystem::create_directories(path.parent_path());
  const std::string text = j.dump(2) + "\n";
  io::write_file_atomic(path, std::as_bytes(std::span(text.data(), text.size())));
}

// The checkpoint of an unfinished run: a directory beside the run's file.
std::filesystem::path partial_path(const std::filesystem::path& run_file) {
  std::filesystem::path p = run_file;
  p.replace_extension(".partial");
  return p;
}

// The checkpoint's record names the run by its key, so that a changed configuration never
// continues another's weights.
std::string partial_name(const std::string& key) { return "experiment-run-" + key; }

void save_partial(const std::filesystem::path& dir, const std::string& key, std::uint64_t seed,
                  const train::Network& network, const train::Optimizer& optimizer,
                  const std::vector<train::EpochResult>& history) {
  train::RunRecord record;
  record.model_name = partial_name(key);
  record.seed = seed;
  record.epochs_done = static_cast<std::int64_t>(history.size());
  record.history = history;
  train::save_run(dir, network, optimizer, record);
}

// The epochs of a checkpoint left by an unfinished run with this key, with `network` and
// `optimizer` set to their state after the last of them; nothing (and both untouched) when there
// is no such checkpoint, it does not load, or it holds `epochs` or more: that run starts again.
std::vector<train::EpochResult> resume_partial(const std::filesystem::path& dir,
                                               const std::string& key, std::int64_t epochs,
                                               train::Network& network,
                                               train::Optimizer& optimizer) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return {};
  try {
    const train::SavedRun saved = train::load_run(dir);
    const auto done = static_cast<std::size_t>(saved.record.epochs_done);
    // A record that claims every epoch (or more) is not one this code writes: train again
    // rather than hand fit an initial epoch past the last.
    if (saved.record.model_name != partial_name(key) || saved.record.history.size() != done ||
        saved.record.epochs_done >= epochs) {
      return {};
    }
    // Both checks first, so that a damaged checkpoint leaves the network as it was built.
    static_cast<void>(train::restore_network(saved));
    train::Optimizer restored = train::restore_optimizer(network, saved);
    train::restore_weights(network, saved);
    optimizer = std::move(restored);
    return saved.record.history;
  } catch (const Error&) {
    return {};
  }
}

}  // namespace

void Settings::validate() const {
  const auto at_least = [](const char* flag, std::int64_t value, std::int64_t low) {
    if (value < low)
      throw InvalidArgument(fmt::format("{}: must be >= {}, got {}", flag, low, value));
  };
  at_least("--epochs", epochs, 1);
  at_least("--batch", batch_size, 1);
  at_least("--repeats", repeats, 1);
  at_least("--limit-train", train_limit, 0);
  at_least("--limit-test", test_limit, 0);
  if (repeats > 100) throw InvalidArgument(fmt::format("--repeats: at most 100, got {}", repeats));
  train::OptimizerSettings o = train::OptimizerSettings::defaults(optimizer);
  if (learning_rate != 0) {
    if (!(learning_rate > 0) || !std::isfinite(learning_rate)) {
      throw InvalidArgument(fmt::format("--lr: must be a positive number, got {}", learning_rate));
    }
    o.learning_rate = learning_rate;
  }
  o.validate();
  train::validate_lr_schedule(lr_schedule);
}

double VariantResult::mean_accuracy() const {
  if (runs.empty()) return 0;
  double sum = 0;
  for (const Run& r : runs) sum += r.test_accuracy;
  return sum / static_cast<double>(runs.size());
}

double VariantResult::accuracy_spread() const {
  if (runs.size() < 2) return 0;
  const double mean = mean_accuracy();
  double sq = 0;
  for (const Run& r : runs) sq += (r.test_accuracy - mean) * (r.test_accuracy - mean);
  return std::sqrt(sq / static_cast<double>(runs.size() - 1));
}

double VariantResult::median_seconds_per_epoch() const {
  std::vector<double> seconds;
  for (const Run& r : runs) {
    for (const train::EpochResult& e : r.history) seconds.push_back(e.seconds);
  }
  if (seconds.empty()) return 0;
  const std::size_t mid = seconds.size() / 2;
  std::nth_element(seconds.begin(), seconds.begin() + static_cast<std::ptrdiff_t>(mid),
                   seconds.end());
  if (seconds.size() % 2 == 1) return seconds[mid];
  const double upper = seconds[mid];
  const double lower =
      *std::max_element(seconds.begin(), seconds.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lower + upper) / 2;
}

std::string run_key(const Variant& variant, const Settings& s, std::uint64_t seed) {
  const std::string text = fmt::format(
      "{}\n{}\ndata={} train_limit={} test_limit={} epochs={} batch={} optimizer={} lr={} "
      "schedule={} seed={}",
      kRunFormat, model::format_model_spec(variant.architecture), s.data, s.train_limit,
      s.test_limit, s.epochs, s.batch_size, s.optimizer, s.learning_rate, s.lr_schedule, seed);
  return fmt::format("{:016x}", fnv1a(text));
}

VariantFacts measure_variant(const Variant& variant, const Shape& input_shape, bool latency) {
  const model::ResolvedModel resolved = model::resolve(variant.architecture, input_shape);
  VariantFacts f;
  const auto& specs = resolved.architecture.layers;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const model::ResolvedLayer& l = resolved.layers[i];
    f.layers.push_back({specs[i].name, std::string(model::keras_class_name(specs[i].kind)),
                        l.output_shape, l.params, l.macs});
  }
  f.params = resolved.params;
  f.trainable_params = resolved.trainable_params;
  f.macs = resolved.macs;
  f.peak_activation_bytes = analysis::summarize(resolved).peak_activation_bytes;
  const std::vector<std::optional<analysis::Field>> fields = analysis::receptive_fields(resolved);
  for (std::size_t i = specs.size(); i-- > 0;) {
    if (!is_convolution(specs[i].kind)) continue;
    f.last_conv = specs[i].name;
    if (fields[i]) {
      f.receptive_field[0] = fields[i]->height.size;
      f.receptive_field[1] = fields[i]->width.size;
      f.effective_stride[0] = fields[i]->height.stride;
      f.effective_stride[1] = fields[i]->width.stride;
    }
    break;
  }
  for (const analysis::Finding& finding : analysis::lint(resolved)) {
    f.lint.push_back(fmt::format("{}: layer '{}': {} [{}]",
                                 analysis::severity_name(finding.severity), finding.layer,
                                 finding.message, finding.rule));
  }
  if (latency) {
    train::NetworkOptions options;
    options.input_shape = input_shape;
    train::Network network(variant.architecture, options);
    // One untimed batch first: the first forward of a process also starts OpenMP's threads.
    Shape warm_shape{64};
    warm_shape.insert(warm_shape.end(), input_shape.begin(), input_shape.end());
    static_cast<void>(network.predict(Tensor(warm_shape)));
    for (const train::Latency& l : train::measure_latency(network, {1, 64}, 0.3)) {
      (l.batch == 1 ? f.latency_ms_batch1 : f.latency_ms_batch64) = l.per_image_ms;
    }
  }
  return f;
}

std::vector<VariantResult> run_experiment(const std::vector<Variant>& variants,
                                          const Settings& settings,
                                          const std::filesystem::path& dir,
                                          const data::TrainTest& data, const Callbacks& callbacks) {
  settings.validate();
  const data::Dataset train_set =
      settings.train_limit > 0 ? data::take(data.train, settings.train_limit) : data.train;
  const data::Dataset test_set =
      settings.test_limit > 0 ? data::take(data.test, settings.test_limit) : data.test;
  const Shape& images = train_set.images.shape();
  const Shape input_shape(images.begin() + 1, images.end());
  const auto stopped = [&] { return callbacks.stop != nullptr && callbacks.stop->load(); };
  const auto report = [&](const Progress& p) {
    if (callbacks.on_progress) callbacks.on_progress(p);
  };

  std::vector<VariantResult> results;
  for (std::size_t v = 0; v < variants.size(); ++v) {
    const Variant& variant = variants[v];
    VariantResult result{variant, {}, {}};
    Progress progress;
    progress.variant = v;
    progress.variants = variants.size();
    progress.repeats = settings.repeats;
    progress.stage = Progress::Stage::kMeasuring;
    report(progress);
    result.facts = measure_variant(variant, input_shape, settings.measure_latency);
    for (std::int64_t k = 0; k < settings.repeats; ++k) {
      if (stopped()) throw Interrupted("experiment: interrupted; finished runs are saved");
      const std::uint64_t seed = settings.seed + static_cast<std::uint64_t>(k);
      const std::string key = run_key(variant, settings, seed);
      const std::filesystem::path path = run_path(dir, variant, seed);
      progress.repeat = k;
      if (std::optional<Run> saved = load_run(path, key)) {
        result.runs.push_back(std::move(*saved));
        progress.stage = Progress::Stage::kSkipped;
        progress.run = &result.runs.back();
        report(progress);
        progress.run = nullptr;
        continue;
      }
      train::NetworkOptions options;
      options.seed = seed;
      options.input_shape = input_shape;
      train::Network network(variant.architecture, options);
      train::OptimizerSettings o = train::OptimizerSettings::defaults(settings.optimizer);
      if (settings.learning_rate > 0) o.learning_rate = settings.learning_rate;
      // The schedule spans the updates this run makes: over the images it trains on.
      o.decay_steps = train::decay_steps_for(settings.lr_schedule,
                                             static_cast<std::int64_t>(train_set.labels.size()),
                                             settings.batch_size, settings.epochs);
      train::Optimizer optimizer(o);
      // A run cut short keeps its last finished epoch in a checkpoint beside its file, under
      // the same key; the next invocation continues from there to the same weights.
      const std::filesystem::path partial = partial_path(path);
      std::vector<train::EpochResult> history =
          resume_partial(partial, key, settings.epochs, network, optimizer);
      if (!history.empty()) {
        progress.stage = Progress::Stage::kResumed;
        progress.resumed_epochs = static_cast<std::int64_t>(history.size());
        report(progress);
        progress.resumed_epochs = 0;
      }
      train::FitOptions fit;
      fit.epochs = settings.epochs;
      fit.initial_epoch = static_cast<std::int64_t>(history.size());
      fit.batch_size = settings.batch_size;
      fit.seed = seed;
      fit.on_epoch = [&](const train::EpochResult& e) {
        history.push_back(e);
        if (e.epoch < settings.epochs)
          save_partial(partial, key, seed, network, optimizer, history);
      };
      progress.stage = Progress::Stage::kTraining;
      fit.on_batch = [&](const train::BatchProgress& b) {
        if (stopped()) throw Interrupted("experiment: interrupted; finished runs are saved");
        progress.batch = &b;
        report(progress);
        progress.batch = nullptr;
      };
      Run run;
      run.seed = seed;
      static_cast<void>(train::fit(network, optimizer, train_set, &test_set, fit));
      run.history = std::move(history);
      run.test_accuracy = run.history.back().test_accuracy.value_or(0);
      run.test_loss = run.history.back().test_loss.value_or(0);
      double seconds = 0;
      for (const train::EpochResult& e : run.history) seconds += e.seconds;
      run.seconds_per_epoch =
          seconds / static_cast<double>(std::max<std::size_t>(1, run.history.size()));
      save_run_file(path, key, run, variant);
      std::error_code ec;
      std::filesystem::remove_all(partial, ec);  // the run file has everything now
      result.runs.push_back(std::move(run));
      progress.stage = Progress::Stage::kDone;
      progress.run = &result.runs.back();
      report(progress);
      progress.run = nullptr;
    }
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace strider::experiment
