// A stride experiment: train every variant on the same data with the same settings over several
// seeds, measure what each costs (parameters, MACs, activation memory, latency) and what it sees
// (receptive field, effective stride, lint findings), and keep every finished run on disk so
// that an interrupted experiment resumes where it stopped.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "strider/data/dataset.hpp"
#include "strider/experiment/variants.hpp"
#include "strider/train/fit.hpp"

namespace strider::experiment {

struct Settings {
  std::string data = "fashion-mnist";  // as `strider train --data`
  std::int64_t train_limit = 0;        // 0: every training example
  std::int64_t test_limit = 0;         // 0: every test example
  std::int64_t epochs = 15;
  std::int64_t batch_size = 64;
  std::string optimizer = "adam";
  double learning_rate = 0;            // 0: the optimizer's Keras default
  std::string lr_schedule = "cosine";  // as `strider train --lr-schedule`
  std::int64_t repeats = 3;            // seeds seed, seed + 1, ...
  std::uint64_t seed = 1;
  bool measure_latency = true;
  // Throws InvalidArgument naming the flag (--epochs, --batch, --repeats, --limit-train,
  // --limit-test, --optimizer, --lr, --lr-schedule).
  void validate() const;
};

// What a variant costs and sees, from geometry and one timing, without training.
struct LayerFacts {
  std::string name, kind;
  Shape output_shape;  // without the batch axis
  std::int64_t params = 0, macs = 0;
};
struct VariantFacts {
  std::vector<LayerFacts> layers;
  std::int64_t params = 0, trainable_params = 0, macs = 0;
  std::int64_t peak_activation_bytes = 0;    // batch 1, float32
  std::string last_conv;                     // the last layer with a window
  std::int64_t receptive_field[2] = {0, 0};  // of last_conv, [h, w]
  std::int64_t effective_stride[2] = {0, 0};
  std::vector<std::string> lint;                         // "warning: layer 'conv2': ..." lines
  double latency_ms_batch1 = 0, latency_ms_batch64 = 0;  // per image
};

// One training run of one variant with one seed.
struct Run {
  std::uint64_t seed = 0;
  std::vector<train::EpochResult> history;
  double test_accuracy = 0, test_loss = 0;
  double seconds_per_epoch = 0;  // mean training time of an epoch
};

struct VariantResult {
  Variant variant;
  VariantFacts facts;
  std::vector<Run> runs;  // one per repeat, in seed order
  double mean_accuracy() const;
  double accuracy_spread() const;  // the sample standard deviation; 0 for one run
  // The median training time of an epoch over every epoch of every run: a run that shared the
  // machine for a while moves it less than it moves a mean.
  double median_seconds_per_epoch() const;
};

// What the experiment reports while it works, for progress bars and live tables.
struct Progress {
  std::size_t variant = 0, variants = 0;
  std::int64_t repeat = 0, repeats = 0;
  // kResumed: a run continues from the checkpoint an interrupted invocation left after
  // `resumed_epochs` epochs; its training follows.
  enum class Stage { kMeasuring, kResumed, kTraining, kSkipped, kDone } stage = Stage::kTraining;
  std::int64_t resumed_epochs = 0;
  const train::BatchProgress* batch = nullptr;  // during training
  const Run* run = nullptr;                     // when a run is done or skipped
};

struct Callbacks {
  std::function<void(const Progress&)> on_progress;
  // Polled between batches: training stops (the run is not saved) once it is true.
  const std::atomic<bool>* stop = nullptr;
};

// Thrown by run_experiment when Callbacks::stop became true: every run finished before is saved.
class Interrupted : public Error {
 public:
  using Error::Error;
};

// The cache key of one run: a hash of the variant's model spec, the settings that change a
// run's result (data, limits, epochs, batch, optimizer, learning rate and schedule) and the seed. A
// run file whose key differs is never taken for this run.
std::string run_key(const Variant& variant, const Settings& settings, std::uint64_t seed);

// The facts of `variant` for 28x28 inputs of `dataset`'s shape (latency with the given settings).
VariantFacts measure_variant(const Variant& variant, const Shape& input_shape, bool latency);

// Runs the experiment: for each variant, its facts and `repeats` training runs, each saved as
// `dir`/runs/<variant>/seed-<seed>.json (atomically) as soon as it finishes; a run whose file
// exists with the same key is loaded instead of trained. Throws Interrupted (see Callbacks), and
// what loading the data, building a network or training throws.
std::vector<VariantResult> run_experiment(const std::vector<Variant>& variants,
                                          const Settings& settings,
                                          const std::filesystem::path& dir,
                                          const data::TrainTest& data,
                                          const Callbacks& callbacks = {});

}  // namespace strider::experiment
