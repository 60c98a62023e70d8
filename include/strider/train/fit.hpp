// The fit loop (epochs of shuffled mini-batches, per-epoch history, a callback per batch),
// evaluation, prediction in batches, and inference latency.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "strider/core/error.hpp"
#include "strider/core/tensor.hpp"
#include "strider/data/dataset.hpp"
#include "strider/train/network.hpp"
#include "strider/train/optimizer.hpp"

namespace strider::train {

// Thrown when the loss of a batch is NaN or infinite: training stops at that step, and whatever
// was saved before stays as it was.
class DivergedError : public Error {
 public:
  using Error::Error;
};

struct EpochResult {
  std::int64_t epoch = 0;  // 1-based, as Keras prints it
  double seconds = 0.0;    // the training part of the epoch (forward, backward, updates)
  double loss = 0.0;       // mean over the epoch's examples, with the weights as they were
  double accuracy = 0.0;   // fraction of the epoch's examples classified right during training
  std::optional<double> test_loss, test_accuracy;  // after the epoch, inference mode
  double test_seconds = 0.0;
  double images_per_second = 0.0;  // training examples / seconds
};

struct BatchProgress {
  std::int64_t epoch = 0;  // 1-based
  std::int64_t epochs = 0;
  std::int64_t batch = 0;  // 1-based within the epoch
  std::int64_t batches = 0;
  std::int64_t examples = 0;  // seen so far in this epoch
  std::int64_t total = 0;     // in the epoch
  double loss = 0.0;          // running mean over the epoch so far
  double accuracy = 0.0;
  double seconds = 0.0;  // since the epoch began
};

struct FitOptions {
  std::int64_t epochs = 1;         // train until this many epochs are done
  std::int64_t initial_epoch = 0;  // epochs already done (a resumed run)
  std::int64_t batch_size = 64;
  std::uint64_t seed = 0;  // the shuffle order and dropout masks: functions of (seed, epoch, step)
  bool shuffle = true;
  // Parts each batch is split into, one per thread, each part's forward and backward on its own
  // copy of the network on one core; the parts' gradients are summed in part order (fit()). 0: as
  // many as OpenMP threads where that leaves each part 8 examples or more, else 1; 1: whole
  // batches, every layer on all threads. Negative: InvalidArgument.
  int batch_parts = 0;
  std::function<void(const BatchProgress&)> on_batch;
  // After each epoch's test evaluation, with the network and optimizer in their end-of-epoch
  // state: the place to save a checkpoint.
  std::function<void(const EpochResult&)> on_epoch;
};

// Trains `network` on `train` for epochs initial_epoch + 1 .. epochs, evaluating on `test` (when
// given and not empty) after each. Softmax cross-entropy from the logits. Same seed, data,
// settings and thread count give the same weights bit for bit, whether or not the run was
// interrupted between epochs and resumed from its state. With two or more batch parts (and no
// BatchNormalization, whose statistics are the whole batch's, and profiling off) each step runs
// the parts at once, one per core: a core then reads only its own part's activations, half the
// bytes, from its own cache, where layer by layer on all threads each layer read what the other
// core wrote; the bits then depend on the number of parts as well (the sums' order, and each
// part's dropout masks). Returns the new epochs' results.
// Throws InvalidArgument for epochs < initial_epoch, initial_epoch < 0, batch_size < 1,
// batch_parts < 0 or an empty training set, ShapeError when the images do not fit the network,
// DivergedError naming the epoch and step when a loss is not finite.
std::vector<EpochResult> fit(Network& network, Optimizer& optimizer, const data::Dataset& train,
                             const data::Dataset* test, const FitOptions& options);

// OptimizerSettings::decay_steps for the learning-rate schedule `schedule` over a run of `epochs`
// epochs of `examples` examples in batches of `batch_size`: 0 for "constant", every update of the
// run for "cosine". Throws InvalidArgument naming --lr-schedule for another name, and for counts
// that are not positive.
std::int64_t decay_steps_for(std::string_view schedule, std::int64_t examples,
                             std::int64_t batch_size, std::int64_t epochs);

// Throws InvalidArgument naming --lr-schedule unless `schedule` is "constant" or "cosine": the
// check that decay_steps_for makes, for callers that know the name before the data.
void validate_lr_schedule(std::string_view schedule);

struct Evaluation {
  double loss = 0.0;  // mean softmax cross-entropy
  double accuracy = 0.0;
  std::int64_t examples = 0;
};

// Loss and accuracy of `dataset` in inference mode, in batches of `batch_size`. Throws
// InvalidArgument for batch_size < 1, ShapeError when the images do not fit the network.
Evaluation evaluate(Network& network, const data::Dataset& dataset, std::int64_t batch_size = 256);

// network.predict over `images` [N, ...] in batches: the model's outputs (probabilities when it
// ends in a softmax), [N, ...output]. Throws like evaluate.
Tensor predict(Network& network, const Tensor& images, std::int64_t batch_size = 256);

struct Latency {
  std::int64_t batch = 0;
  double batch_ms = 0.0;      // median time of one forward of the batch, inference mode
  double per_image_ms = 0.0;  // batch_ms / batch
};

// The inference latency of `network` for each batch size (seeded random inputs), as the median
// of repeated runs (strider::time_runs). Throws InvalidArgument for a batch size < 1.
std::vector<Latency> measure_latency(Network& network, const std::vector<std::int64_t>& batches,
                                     double min_seconds = 0.3);

}  // namespace strider::train
