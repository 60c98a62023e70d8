// Network: the architecture's layers in topological order, the activations of the last forward,
// and backward in reverse order with gradients summed where an output feeds several layers.
#include "strider/train/network.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "strider/core/error.hpp"
#include "train/layers.hpp"
#include "train/parallel.hpp"

namespace strider::train {

using model::LayerKind;

namespace {

// A layer's output shape with the batch axis in front.
Shape with_batch(std::int64_t batch, const Shape& shape) {
  Shape out = shape;
  out.insert(out.begin(), batch);
  return out;
}

}  // namespace

Initializer parse_initializer(std::string_view text, std::string_view what) {
  if (text == "glorot_uniform") return Initializer::kGlorotUniform;
  if (text == "he_normal") return Initializer::kHeNormal;
  if (text == "he_uniform") return Initializer::kHeUniform;
  throw InvalidArgument(
      fmt::format("{}: must be glorot_uniform, he_normal or he_uniform, got '{}'", what, text));
}

std::string_view initializer_name(Initializer init) {
  switch (init) {
    case Initializer::kGlorotUniform:
      return "glorot_uniform";
    case Initializer::kHeNormal:
      return "he_normal";
    case Initializer::kHeUniform:
      return "he_uniform";
  }
  return "glorot_uniform";
}

Network::Network(const model::Architecture& architecture, const NetworkOptions& options) {
  std::size_t inputs = 0;
  for (const model::LayerSpec& l : architecture.layers) inputs += l.kind == LayerKind::kInput;
  if (inputs > 1) {
    throw InvalidArgument(
        fmt::format("train: model '{}' has {} inputs; training takes models with one input",
                    architecture.name, inputs));
  }
  if (architecture.outputs.size() > 1) {
    throw InvalidArgument(
        fmt::format("train: model '{}' has {} outputs; training takes models with one output",
                    architecture.name, architecture.outputs.size()));
  }
  resolved_ = model::resolve(architecture, options.input_shape);
  const model::Architecture& arch = resolved_.architecture;
  const std::size_t count = arch.layers.size();
  const std::size_t output = arch.outputs.empty() ? count - 1 : arch.index_of(arch.outputs.front());
  if (output + 1 != count) {
    throw InvalidArgument(
        fmt::format("train: the model's output '{}' must be its last layer (layers after it: '{}')",
                    arch.layers[output].name, arch.layers.back().name));
  }
  input_shape_ = resolved_.layers.front().output_shape;
  output_shape_ = resolved_.layers.back().output_shape;
  layers_.resize(count);
  needs_grad_.assign(count, false);
  for (std::size_t i = 1; i < count; ++i) {
    layers_[i] = detail::make_layer(arch.layers[i], resolved_.layers[i], i, options);
    bool needs = false;
    for (Parameter& p : layers_[i]->parameters()) {
      parameters_.push_back(&p);
      needs = needs || p.trainable;
    }
    for (const std::size_t in : resolved_.layers[i].inputs) {
      needs = needs || needs_grad_[in];
    }
    needs_grad_[i] = needs;
  }
  // A layer whose output feeds one layer that can fold its ReLU and bias gradient into that
  // layer's input gradient hands them over (Layer::relu_bias).
  std::vector<int> consumers(count, 0);
  for (std::size_t i = 1; i < count; ++i) {
    for (const std::size_t in : resolved_.layers[i].inputs) ++consumers[in];
  }
  for (std::size_t i = 1; i < count; ++i) {
    const std::vector<std::size_t>& from = resolved_.layers[i].inputs;
    if (from.size() != 1 || from[0] == 0 || consumers[from[0]] != 1) continue;
    detail::Layer& producer = *layers_[from[0]];
    Parameter* bias = needs_grad_[from[0]] ? producer.relu_bias() : nullptr;
    if (bias != nullptr && layers_[i]->fold_input_relu(bias)) producer.receive_folded_gradient();
  }
  // A Flatten that is its input's one consumer takes the input's storage: its copy of the last
  // convolution's output (800 KB) was 0.4% of the CNN's training step, and the Dense after it
  // (ops/dense) reads it in place too.
  lent_from_.assign(count, kNotLent);
  for (std::size_t i = 1; i < count; ++i) {
    const std::vector<std::size_t>& from = resolved_.layers[i].inputs;
    if (from.size() == 1 && consumers[from[0]] == 1 && layers_[i]->reshapes_only()) {
      lent_from_[i] = from[0];
    }
  }
  ends_in_softmax_ = count > 1 && layers_.back()->strip_softmax();
  outputs_.resize(count);
}

Network::~Network() = default;
Network::Network(Network&&) noexcept = default;
Network& Network::operator=(Network&&) noexcept = default;

Parameter* Network::find_parameter(std::string_view name) const {
  for (Parameter* p : parameters_) {
    if (p->name == name) return p;
  }
  return nullptr;
}

const Tensor& Network::forward(const Tensor& input, bool training, std::uint64_t noise_key) {
  return forward(Tensor(input), training, noise_key);
}

const Tensor& Network::forward(Tensor&& input, bool training, std::uint64_t noise_key) {
  Shape want = input_shape_;
  want.insert(want.begin(), input.rank() > 0 ? input.dim(0) : 0);
  if (input.shape() != want) {
    throw ShapeError(fmt::format("train: model '{}' takes input (N, {}), got {}",
                                 resolved_.architecture.name, format_shape(input_shape_).substr(1),
                                 format_shape(input.shape())));
  }
  const detail::Context context{training, noise_key};
  std::vector<const Tensor*> ins;
  const std::int64_t batch = input.dim(0);
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    if (i == 0) {
      outputs_[0] = std::move(input);
      continue;
    }
    if (lent_from_[i] != kNotLent) {
      outputs_[i] = std::move(outputs_[lent_from_[i]])
                        .reshaped(with_batch(batch, resolved_.layers[i].output_shape));
      continue;
    }
    ins.clear();
    for (const std::size_t in : resolved_.layers[i].inputs) ins.push_back(&outputs_[in]);
    if (profiling_ && training) {
      const auto start = std::chrono::steady_clock::now();
      outputs_[i] = layers_[i]->forward(ins, context);
      forward_seconds_[i] +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    } else {
      outputs_[i] = layers_[i]->forward(ins, context);
    }
  }
  trained_forward_ = training;
  return outputs_.back();
}

void Network::backward(const Tensor& grad_logits) {
  if (!trained_forward_) {
    throw InvalidArgument("train: backward() needs a forward() in training mode before it");
  }
  if (grad_logits.shape() != outputs_.back().shape()) {
    throw ShapeError(fmt::format("train: backward: gradient {} does not match the output {}",
                                 format_shape(grad_logits.shape()),
                                 format_shape(outputs_.back().shape())));
  }
  std::vector<Tensor> grads(layers_.size());
  std::vector<bool> have(layers_.size(), false);
  grads.back() = grad_logits;
  have.back() = true;
  std::vector<const Tensor*> ins;
  std::vector<bool> want;
  for (std::size_t i = layers_.size() - 1; i >= 1; --i) {
    if (const std::size_t from = lent_from_[i]; from != kNotLent) {
      // Every reader of this output (the layers after it) is done: the input gets its storage
      // back, for this layer's backward and its own.
      outputs_[from] =
          std::move(outputs_[i])
              .reshaped(with_batch(outputs_[i].dim(0), resolved_.layers[from].output_shape));
    }
    if (!needs_grad_[i] || !have[i]) continue;
    const std::vector<std::size_t>& inputs = resolved_.layers[i].inputs;
    ins.clear();
    want.clear();
    for (const std::size_t in : inputs) {
      ins.push_back(&outputs_[in]);
      want.push_back(needs_grad_[in]);
    }
    const auto start =
        profiling_ ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    std::vector<Tensor> got = layers_[i]->backward(ins, outputs_[i], std::move(grads[i]), want);
    if (profiling_) {
      backward_seconds_[i] +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    grads[i] = Tensor();
    for (std::size_t k = 0; k < inputs.size(); ++k) {
      if (!want[k]) continue;
      const std::size_t in = inputs[k];
      if (!have[in]) {
        grads[in] = std::move(got[k]);
        have[in] = true;
      } else {
        float* dst = grads[in].data();
        const float* src = got[k].data();
        detail::for_each_index(grads[in].size(), 1, [=](std::int64_t j) { dst[j] += src[j]; });
      }
    }
  }
  trained_forward_ = false;
  if (profiling_) ++profiled_steps_;
}

void Network::set_profiling(bool on) {
  profiling_ = on;
  reset_layer_times();
}

void Network::reset_layer_times() {
  forward_seconds_.assign(layers_.size(), 0.0);
  backward_seconds_.assign(layers_.size(), 0.0);
  profiled_steps_ = 0;
}

std::vector<Network::LayerTime> Network::layer_times() const {
  std::vector<LayerTime> out;
  for (std::size_t i = 1; i < layers_.size(); ++i) {
    const model::ResolvedLayer& r = resolved_.layers[i];
    LayerTime t{resolved_.architecture.layers[i].name, 0.0, 0.0, r.macs, 0};
    if (i < forward_seconds_.size()) {
      t.forward_seconds = forward_seconds_[i];
      t.backward_seconds = backward_seconds_[i];
    }
    bool input_gradient = false;
    for (const std::size_t in : r.inputs) input_gradient = input_gradient || needs_grad_[in];
    t.backward_passes = (r.trainable_params > 0 ? 1 : 0) + (input_gradient ? 1 : 0);
    out.push_back(std::move(t));
  }
  return out;
}

Tensor Network::predict(const Tensor& input) {
  Tensor out = forward(input, false);
  if (ends_in_softmax_) detail::activation_forward(detail::Act::kSoftmax, out);
  return out;
}

LossResult softmax_cross_entropy(const Tensor& logits, std::span<const std::int32_t> labels,
                                 Tensor* grad) {
  if (logits.rank() != 2) {
    throw ShapeError(
        fmt::format("softmax_cross_entropy: logits must be rank 2 (N, classes), got {}",
                    format_shape(logits.shape())));
  }
  const std::int64_t n = logits.dim(0), k = logits.dim(1);
  if (static_cast<std::int64_t>(labels.size()) != n) {
    throw ShapeError(
        fmt::format("softmax_cross_entropy: {} labels for {} rows of logits", labels.size(), n));
  }
  for (std::int64_t r = 0; r < n; ++r) {
    if (labels[r] < 0 || labels[r] >= k) {
      throw InvalidArgument(fmt::format(
          "softmax_cross_entropy: label {} of row {} is outside [0, {})", labels[r], r, k));
    }
  }
  if (grad != nullptr && grad->shape() != logits.shape()) *grad = Tensor(logits.shape());
  LossResult result;
  const float* x = logits.data();
  for (std::int64_t r = 0; r < n; ++r) {
    const float* row = x + r * k;
    const std::int64_t best = std::max_element(row, row + k) - row;
    const double top = row[best];
    double sum = 0.0;
    for (std::int64_t j = 0; j < k; ++j) sum += std::exp(double{row[j]} - top);
    const double log_sum = std::log(sum);
    result.loss_sum += log_sum - (double{row[labels[r]]} - top);
    result.correct += best == labels[r];
    if (grad != nullptr) {
      float* g = grad->data() + r * k;
      const double scale = 1.0 / static_cast<double>(n);
      for (std::int64_t j = 0; j < k; ++j) {
        const double p = std::exp(double{row[j]} - top - log_sum);
        g[j] = static_cast<float>((p - (j == labels[r] ? 1.0 : 0.0)) * scale);
      }
    }
  }
  return result;
}

}  // namespace strider::train
