// A trainable network built from a model::Architecture (spec string, Keras JSON or built-in):
// forward in training or inference mode, backward filling each parameter's gradient, and the
// parameters by their Keras names ("conv2d_1/kernel") for optimizers and checkpoints.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "strider/core/tensor.hpp"
#include "strider/model/architecture.hpp"
#include "strider/model/resolve.hpp"

namespace strider::train {

namespace detail {
class Layer;
}  // namespace detail

// Keras's kernel initialisers. Biases and BatchNormalization's beta start at 0, gamma and the
// moving variance at 1, whatever is chosen here.
enum class Initializer {
  kGlorotUniform,  // Keras's default: U(-l, l), l = sqrt(6 / (fan_in + fan_out))
  kHeNormal,       // truncated normal (|z| <= 2), stddev sqrt(2 / fan_in) / 0.8796...
  kHeUniform,      // U(-l, l), l = sqrt(6 / fan_in)
};

// "glorot_uniform", "he_normal" or "he_uniform"; throws InvalidArgument naming `what`.
Initializer parse_initializer(std::string_view text, std::string_view what = "initializer");
std::string_view initializer_name(Initializer init);

// One weight tensor. `grad` has the shape of `value` for trainable parameters and is empty for
// the others (BatchNormalization's moving statistics, layers with trainable=false).
struct Parameter {
  std::string name;  // "<layer>/<weight>": "conv2d/kernel", "dense/bias", "bn/moving_mean"
  Tensor value;
  Tensor grad;
  bool trainable = true;
};

struct NetworkOptions {
  std::uint64_t seed = 0;
  Initializer initializer = Initializer::kGlorotUniform;
  // Input shape without the batch axis; empty uses the model's own input layer.
  Shape input_shape;
};

class Network {
 public:
  // Resolves `architecture` for options.input_shape and builds every layer, its weights drawn
  // from options.seed (same seed, same bits). Supported: Input, Conv2D, DepthwiseConv2D,
  // SeparableConv2D, Conv2DTranspose, MaxPooling2D, AveragePooling2D, GlobalAverage/MaxPooling2D,
  // ZeroPadding2D, Cropping2D, UpSampling2D, BatchNormalization, Activation, Dropout, Flatten,
  // Dense, Add and Concatenate; Keras's activations but gelu and swish (silu). One input, and one
  // output, the last layer. Throws InvalidArgument naming the layer for anything else (1-D layers,
  // shared weights, other activations), and what resolve() throws.
  explicit Network(const model::Architecture& architecture, const NetworkOptions& options = {});
  ~Network();
  Network(Network&&) noexcept;
  Network& operator=(Network&&) noexcept;
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // Runs the network on `input` [N, ...input_shape()] and returns the logits: the output before
  // the model's final softmax when it ends in one (Dense(activation=softmax) or a softmax
  // Activation), otherwise the output itself. Training mode uses batch statistics in
  // BatchNormalization (and updates its moving averages) and drops units in Dropout with a mask
  // that is a pure function of `noise_key`; it keeps what backward() needs. Throws ShapeError for
  // an input of another shape. The rvalue form keeps `input` without copying it.
  const Tensor& forward(const Tensor& input, bool training, std::uint64_t noise_key = 0);
  const Tensor& forward(Tensor&& input, bool training, std::uint64_t noise_key = 0);

  // Back-propagates d loss / d logits (the shape forward() returned) through the last training
  // forward(), overwriting every trainable parameter's grad. Throws InvalidArgument when no
  // training forward() came before, ShapeError for a gradient of another shape.
  void backward(const Tensor& grad_logits);

  // The model's output in inference mode: forward(input, false) with the final softmax applied
  // when the model has one.
  Tensor predict(const Tensor& input);

  // Whether the model ends in a softmax that forward() leaves out.
  bool ends_in_softmax() const { return ends_in_softmax_; }

  // Every parameter in layer order, Keras's weight order within a layer.
  const std::vector<Parameter*>& parameters() const { return parameters_; }
  // The parameter named `name`, or nullptr.
  Parameter* find_parameter(std::string_view name) const;

  // Per-layer wall time, while profiling is on: each layer's forward in training mode (inference,
  // as in the test evaluation, is not counted) and its backward, summed over the steps since
  // profiling was turned on or the sums reset. What `strider train --profile` reports.
  struct LayerTime {
    std::string name;
    double forward_seconds = 0.0, backward_seconds = 0.0;
    std::int64_t macs = 0;  // per image, as resolved (0 for pooling, element-wise, ...)
    // Products over the layer's MACs its backward runs: the weight gradient (trainable
    // parameters) and the input gradient (where a layer below needs one), 0 to 2.
    int backward_passes = 0;
  };
  // Turning profiling on (or off) resets the sums.
  void set_profiling(bool on);
  bool profiling() const { return profiling_; }
  void reset_layer_times();
  // Every layer but the input, in order.
  std::vector<LayerTime> layer_times() const;
  // The backward() calls in the sums: the training steps.
  std::int64_t profiled_steps() const { return profiled_steps_; }

  const model::ResolvedModel& resolved() const { return resolved_; }
  const Shape& input_shape() const { return input_shape_; }
  const Shape& output_shape() const { return output_shape_; }

 private:
  model::ResolvedModel resolved_;
  Shape input_shape_, output_shape_;
  std::vector<std::unique_ptr<detail::Layer>> layers_;
  std::vector<Parameter*> parameters_;
  std::vector<Tensor> outputs_;  // each layer's output of the last forward
  // Per layer: the input whose storage its output took, for a layer that only reshapes its
  // input's values (Flatten) and is that input's one consumer; kNotLent for the others. backward()
  // hands the storage back before it reaches them.
  static constexpr std::size_t kNotLent = static_cast<std::size_t>(-1);
  std::vector<std::size_t> lent_from_;
  std::vector<bool> needs_grad_;  // whether a layer's output leads to a parameter
  bool ends_in_softmax_ = false;
  bool trained_forward_ = false;
  bool profiling_ = false;
  std::vector<double> forward_seconds_, backward_seconds_;  // per layer, while profiling_
  std::int64_t profiled_steps_ = 0;
};

struct LossResult {
  double loss_sum = 0.0;
  std::int64_t correct = 0;
};

// Keras's softmax cross-entropy from logits [N, K] and labels in [0, K): the summed loss of the
// batch, the number of rows whose largest logit is the label's (first maximum wins), and, when
// `grad` is not null, d (mean loss) / d logits = (softmax - one_hot) / N in `grad`. Numerically
// stable (the row maximum is subtracted). Throws ShapeError for logits not of rank 2 or a label
// count other than N, InvalidArgument for a label outside [0, K).
LossResult softmax_cross_entropy(const Tensor& logits, std::span<const std::int32_t> labels,
                                 Tensor* grad);

}  // namespace strider::train
