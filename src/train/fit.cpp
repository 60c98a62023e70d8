// The fit loop, evaluation, batched prediction and latency.
#include "strider/train/fit.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <exception>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "strider/core/error.hpp"
#include "strider/core/random.hpp"
#include "strider/core/timing.hpp"
#include "train/layers.hpp"

namespace strider::train {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The logits as [N, classes]: models whose output keeps spatial axes are refused.
void check_classifier(const Network& network) {
  if (network.output_shape().size() != 1) {
    throw ShapeError(fmt::format(
        "train: the model's output {} must be a vector of class scores (end in Dense or global "
        "pooling)",
        format_shape(network.output_shape())));
  }
}

// Rows [begin, end) of `images` as a tensor of their own.
Tensor slice_rows(const Tensor& images, std::int64_t begin, std::int64_t end) {
  Shape shape = images.shape();
  const std::int64_t row = shape[0] == 0 ? 0 : images.size() / shape[0];
  shape[0] = end - begin;
  Tensor out = Tensor::uninitialized(shape);
  if (out.size() > 0) {
    std::memcpy(out.data(), images.data() + begin * row,
                static_cast<std::size_t>(out.size()) * sizeof(float));
  }
  return out;
}

// The parts a batch is split into (FitOptions::batch_parts): 1 for models whose layers couple the
// examples of a batch (BatchNormalization) and while profiling (its layer times are whole
// batches'). Left to choose, one part per thread where each gets kMinPartExamples examples or
// more, else whole batches on all threads: split was measured on 2 cores at 32 examples a part;
// many threads on a small batch would leave each a few images, untried.
constexpr std::int64_t kMinPartExamples = 8;
int batch_parts(const Network& network, const FitOptions& options) {
  int parts = options.batch_parts;
  if (parts == 0) {
    parts = omp_get_max_threads();
    if (options.batch_size < parts * kMinPartExamples) parts = 1;
  }
  if (parts < 2 || network.profiling()) return 1;
  for (const model::LayerSpec& layer : network.resolved().architecture.layers) {
    if (layer.kind == model::LayerKind::kBatchNorm) return 1;
  }
  return parts;
}

// Training steps with each batch split into parts, one per thread: part t's rows go through
// network t (the trained network for t = 0, copies of it for the others, their weights copied
// from it at each step) on one core, with the loss gradient scaled by the part's share of the
// batch; then the parts' gradients are added into the trained network's, in part order. One
// thread per layer per batch (every layer on all threads) measured 1.1-1.3x the CPU time per
// image of one thread on half the batch, and up to 1.4x in the host's busy spells.
class SplitSteps {
 public:
  SplitSteps(Network& network, int parts)
      : network_(network), grads_(static_cast<std::size_t>(parts)) {
    NetworkOptions copy;
    copy.input_shape = network.input_shape();
    for (int t = 1; t < parts; ++t) copies_.emplace_back(network.resolved().architecture, copy);
    const std::vector<Parameter*>& params = network.parameters();
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (!params[i]->trainable) continue;
      for (std::int64_t at = 0; at < params[i]->grad.size(); at += kSumBlock) {
        blocks_.push_back({i, at, std::min(kSumBlock, params[i]->grad.size() - at)});
      }
    }
  }

  int parts() const { return static_cast<int>(grads_.size()); }

  LossResult step(const Tensor& images, std::span<const std::int32_t> labels, std::uint64_t key) {
    const std::int64_t n = images.dim(0);
    const int parts = this->parts();
    std::vector<LossResult> losses(static_cast<std::size_t>(parts));
    std::exception_ptr failure;
#pragma omp parallel num_threads(parts)
    {
      const int t = omp_get_thread_num();
      try {
        omp_set_num_threads(1);  // this part's layers on this thread only
        Network& net = t == 0 ? network_ : copies_[static_cast<std::size_t>(t - 1)];
        if (t > 0) {
          const std::vector<Parameter*>& from = network_.parameters();
          const std::vector<Parameter*>& to = net.parameters();
          for (std::size_t i = 0; i < from.size(); ++i) {
            std::copy_n(from[i]->value.data(), from[i]->value.size(), to[i]->value.data());
          }
        }
        const std::int64_t begin = n * t / parts, end = n * (t + 1) / parts;
        // Each part's dropout masks from a key of its own: the same key would repeat part 0's
        // masks row for row.
        const std::uint64_t part_key =
            t == 0 ? key : detail::mix64(key + static_cast<std::uint64_t>(t));
        Tensor& grad = grads_[static_cast<std::size_t>(t)];
        const Tensor& logits = net.forward(slice_rows(images, begin, end), true, part_key);
        losses[static_cast<std::size_t>(t)] = softmax_cross_entropy(
            logits,
            labels.subspan(static_cast<std::size_t>(begin), static_cast<std::size_t>(end - begin)),
            &grad);
        const auto share =
            static_cast<float>(static_cast<double>(end - begin) / static_cast<double>(n));
        for (float& g : grad.values()) g *= share;
        net.backward(grad);
      } catch (...) {
#pragma omp critical(strider_split_steps)
        if (!failure) failure = std::current_exception();
      }
#pragma omp barrier
      if (!failure) {
        const std::vector<Parameter*>& params = network_.parameters();
#pragma omp for schedule(static)
        for (std::size_t b = 0; b < blocks_.size(); ++b) {
          const Block& k = blocks_[b];
          float* sum = params[k.parameter]->grad.data() + k.begin;
          for (const Network& copy : copies_) {
            const float* add = copy.parameters()[k.parameter]->grad.data() + k.begin;
            for (std::int64_t i = 0; i < k.count; ++i) sum[i] += add[i];
          }
        }
      }
    }
    if (failure) std::rethrow_exception(failure);
    LossResult total;
    for (const LossResult& l : losses) {
      total.loss_sum += l.loss_sum;
      total.correct += l.correct;
    }
    return total;
  }

 private:
  static constexpr std::int64_t kSumBlock = 4096;
  struct Block {
    std::size_t parameter;
    std::int64_t begin, count;
  };
  Network& network_;
  std::vector<Network> copies_;
  std::vector<Tensor> grads_;
  std::vector<Block> blocks_;
};

}  // namespace

std::vector<EpochResult> fit(Network& network, Optimizer& optimizer, const data::Dataset& train,
                             const data::Dataset* test, const FitOptions& options) {
  if (options.initial_epoch < 0 || options.epochs < options.initial_epoch) {
    throw InvalidArgument(
        fmt::format("fit: epochs ({}) must be >= the epochs already done ({}), which must be >= 0",
                    options.epochs, options.initial_epoch));
  }
  if (options.batch_size < 1) {
    throw InvalidArgument(fmt::format("fit: batch size must be >= 1, got {}", options.batch_size));
  }
  if (options.batch_parts < 0) {
    throw InvalidArgument(fmt::format("fit: batch parts must be >= 0 (0: one per thread), got {}",
                                      options.batch_parts));
  }
  if (train.labels.empty()) throw InvalidArgument("fit: the training set is empty");
  check_classifier(network);
  data::Batcher batcher(train, options.batch_size, options.shuffle, options.seed);
  std::vector<EpochResult> history;
  Tensor images, grad;
  std::vector<std::int32_t> labels;
  const std::vector<Parameter*>& parameters = network.parameters();
  const int parts = batch_parts(network, options);
  std::optional<SplitSteps> split;
  if (parts > 1) split.emplace(network, parts);
  for (std::int64_t epoch = options.initial_epoch; epoch < options.epochs; ++epoch) {
    batcher.start_epoch(epoch);
    const Clock::time_point start = Clock::now();
    BatchProgress progress;
    progress.epoch = epoch + 1;
    progress.epochs = options.epochs;
    progress.batches = batcher.batches_per_epoch();
    progress.total = batcher.size();
    double loss_sum = 0.0;
    std::int64_t correct = 0;
    while (batcher.next(images, labels)) {
      // The dropout masks of this step: a function of (seed, epoch, step) only.
      const std::uint64_t key = detail::mix64(detail::mix64(options.seed ^ 0x747261696eULL) +
                                              static_cast<std::uint64_t>(epoch) * 0x100000000ULL +
                                              static_cast<std::uint64_t>(progress.batch));
      const bool whole = !split || static_cast<std::int64_t>(labels.size()) < split->parts();
      LossResult loss;
      if (whole) {
        const Tensor& logits = network.forward(std::move(images), true, key);
        loss = softmax_cross_entropy(logits, labels, &grad);
      } else {
        loss = split->step(images, labels, key);
      }
      if (!std::isfinite(loss.loss_sum)) {
        throw DivergedError(fmt::format(
            "train: the loss became {} at epoch {}, step {} (of {}); lower the learning rate",
            std::isnan(loss.loss_sum) ? "NaN" : "infinite", epoch + 1, progress.batch + 1,
            progress.batches));
      }
      if (whole) network.backward(grad);
      optimizer.step(parameters);
      loss_sum += loss.loss_sum;
      correct += loss.correct;
      ++progress.batch;
      progress.examples += static_cast<std::int64_t>(labels.size());
      if (options.on_batch) {
        const auto seen = static_cast<double>(progress.examples);
        progress.loss = loss_sum / seen;
        progress.accuracy = static_cast<double>(correct) / seen;
        progress.seconds = seconds_since(start);
        options.on_batch(progress);
      }
    }
    EpochResult result;
    result.epoch = epoch + 1;
    result.seconds = seconds_since(start);
    const auto seen = static_cast<double>(progress.examples);
    result.loss = loss_sum / seen;
    result.accuracy = static_cast<double>(correct) / seen;
    result.images_per_second = result.seconds > 0.0 ? seen / result.seconds : 0.0;
    if (test != nullptr && !test->labels.empty()) {
      const Clock::time_point test_start = Clock::now();
      const Evaluation e = evaluate(network, *test);
      result.test_loss = e.loss;
      result.test_accuracy = e.accuracy;
      result.test_seconds = seconds_since(test_start);
    }
    history.push_back(result);
    if (options.on_epoch) options.on_epoch(result);
  }
  return history;
}

Evaluation evaluate(Network& network, const data::Dataset& dataset, std::int64_t batch_size) {
  if (batch_size < 1) {
    throw InvalidArgument(fmt::format("evaluate: batch size must be >= 1, got {}", batch_size));
  }
  check_classifier(network);
  data::Batcher batcher(dataset, batch_size, false, 0);
  Tensor images;
  std::vector<std::int32_t> labels;
  Evaluation e;
  double loss_sum = 0.0;
  std::int64_t correct = 0;
  while (batcher.next(images, labels)) {
    const LossResult loss =
        softmax_cross_entropy(network.forward(std::move(images), false), labels, nullptr);
    loss_sum += loss.loss_sum;
    correct += loss.correct;
    e.examples += static_cast<std::int64_t>(labels.size());
  }
  if (e.examples > 0) {
    e.loss = loss_sum / static_cast<double>(e.examples);
    e.accuracy = static_cast<double>(correct) / static_cast<double>(e.examples);
  }
  return e;
}

Tensor predict(Network& network, const Tensor& images, std::int64_t batch_size) {
  if (batch_size < 1) {
    throw InvalidArgument(fmt::format("predict: batch size must be >= 1, got {}", batch_size));
  }
  const Shape& want = network.input_shape();
  if (images.rank() != want.size() + 1 ||
      !std::equal(want.begin(), want.end(), images.shape().begin() + 1)) {
    throw ShapeError(fmt::format("predict: the model takes images (N, {}, got {}",
                                 format_shape(want).substr(1), format_shape(images.shape())));
  }
  const std::int64_t n = images.dim(0);
  Shape out_shape = network.output_shape();
  out_shape.insert(out_shape.begin(), n);
  Tensor out(out_shape);
  const std::int64_t row = n == 0 ? 0 : out.size() / n;
  for (std::int64_t begin = 0; begin < n; begin += batch_size) {
    const std::int64_t end = std::min(n, begin + batch_size);
    const Tensor y = network.predict(slice_rows(images, begin, end));
    std::memcpy(out.data() + begin * row, y.data(),
                static_cast<std::size_t>(y.size()) * sizeof(float));
  }
  return out;
}

void validate_lr_schedule(std::string_view schedule) {
  if (schedule != "constant" && schedule != "cosine") {
    throw InvalidArgument(
        fmt::format("--lr-schedule: must be constant or cosine, got '{}'", schedule));
  }
}

std::int64_t decay_steps_for(std::string_view schedule, std::int64_t examples,
                             std::int64_t batch_size, std::int64_t epochs) {
  validate_lr_schedule(schedule);
  if (schedule == "constant") return 0;
  if (examples < 1 || batch_size < 1 || epochs < 1) {
    throw InvalidArgument(
        fmt::format("--lr-schedule: needs examples, batch size and epochs >= 1, got {}, {} and {}",
                    examples, batch_size, epochs));
  }
  return epochs * ((examples + batch_size - 1) / batch_size);
}

std::vector<Latency> measure_latency(Network& network, const std::vector<std::int64_t>& batches,
                                     double min_seconds) {
  std::vector<Latency> result;
  for (const std::int64_t batch : batches) {
    if (batch < 1) {
      throw InvalidArgument(fmt::format("latency: batch size must be >= 1, got {}", batch));
    }
    Shape shape = network.input_shape();
    shape.insert(shape.begin(), batch);
    Tensor input(shape);
    Rng(static_cast<std::uint64_t>(batch)).fill_uniform(input.values(), 0.0, 1.0);
    const TimingStats t = time_runs([&] { network.forward(input, false); }, 5, min_seconds);
    result.push_back({batch, t.median_ms, t.median_ms / static_cast<double>(batch)});
  }
  return result;
}

}  // namespace strider::train
