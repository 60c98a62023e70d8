// The trainer's layers (private to src/train): each one's forward and backward over a batch, built
// from a model::LayerSpec. The Network (network.cpp) wires them in the architecture's order.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "strider/core/tensor.hpp"
#include "strider/model/architecture.hpp"
#include "strider/model/resolve.hpp"
#include "strider/train/network.hpp"

namespace strider::train::detail {

// The activations training supports; each one's derivative follows from its output alone (gelu
// and swish, whose derivatives need the input, are not among them).
enum class Act {
  kLinear,
  kRelu,
  kRelu6,
  kSigmoid,
  kTanh,
  kSoftmax,
  kLeakyRelu,  // Keras's activation: negative_slope 0.2
  kElu,        // alpha 1
  kSelu,
  kSoftplus,
  kSoftsign,
  kHardSigmoid,  // Keras 3: relu6(x + 3) / 6
  kExponential,
};

// Keras's name of a supported activation; throws InvalidArgument naming `where` for any other.
Act parse_act(std::string_view name, std::string_view where);

// y = act(x) in place; softmax is taken over the last axis.
void activation_forward(Act act, Tensor& x);
// act(x) as a new tensor (x unchanged), the same bits as activation_forward on a copy.
Tensor activation_output(Act act, const Tensor& x);
// grad *= act'(x), written with the output y = act(x): relu y > 0, relu6 0 < y < 6,
// sigmoid y (1 - y), tanh 1 - y^2, softmax y * (grad - sum(grad * y)) per row, leaky_relu 1 or
// 0.2, elu 1 or y + 1, selu scale or y + scale * alpha, softplus 1 - e^-y, softsign (1 - |y|)^2,
// hard_sigmoid 1/6 inside (0, 1), exponential y.
void activation_backward(Act act, const Tensor& output, Tensor& grad);

// A 64-bit mixing function (SplitMix64's finaliser): the seeds of weights and dropout masks.
std::uint64_t mix64(std::uint64_t x);

struct Context {
  bool training = false;
  std::uint64_t noise_key = 0;
};

class Layer {
 public:
  virtual ~Layer() = default;

  // The output for `inputs` (each with the batch axis first).
  virtual Tensor forward(std::span<const Tensor* const> inputs, const Context& context) = 0;

  // Given the last forward's inputs and output and d loss / d output, sets every trainable
  // parameter's grad and returns d loss / d input for each input i with want_input[i] (an empty
  // tensor for the others).
  virtual std::vector<Tensor> backward(std::span<const Tensor* const> inputs, const Tensor& output,
                                       Tensor grad_output, const std::vector<bool>& want_input) = 0;

  // Whether the output is the input's values as they are, under another shape (Flatten): the
  // network then moves the input's storage into the output instead of calling forward().
  virtual bool reshapes_only() const { return false; }

  // Turns a final softmax into linear (the loss applies it); true when there was one.
  virtual bool strip_softmax() { return false; }

  // Folding a layer's ReLU backward and bias gradient into its one consumer's input gradient,
  // which then computes them while each image is in cache (Network decides where): a layer whose
  // output is relu(... + bias), with the bias trained, returns the bias (others null) ...
  virtual Parameter* relu_bias() { return nullptr; }
  // ... a layer that can fold it takes it (true) and sets bias->grad in its backward, returning
  // dL/dz for its input ...
  virtual bool fold_input_relu(Parameter* /*bias*/) { return false; }
  // ... and the first layer's backward then receives dL/dz, with its bias gradient set.
  void receive_folded_gradient() { gradient_folded_ = true; }

  std::deque<Parameter>& parameters() { return parameters_; }

 protected:
  Parameter& add_parameter(std::string name, Tensor value, bool trainable);

  std::deque<Parameter> parameters_;  // a deque: Network keeps pointers to its elements
  bool gradient_folded_ = false;
};

// The layer for `spec` resolved as `resolved`, weights drawn from options.seed. `index` is the
// layer's position (its dropout stream). Throws InvalidArgument naming the layer when training
// does not support it.
std::unique_ptr<Layer> make_layer(const model::LayerSpec& spec,
                                  const model::ResolvedLayer& resolved, std::size_t index,
                                  const NetworkOptions& options);

// A kernel of `shape` drawn with `init` from `seed` (fans as keras.initializers compute them).
Tensor initial_kernel(const Shape& shape, Initializer init, std::uint64_t seed);

}  // namespace strider::train::detail
