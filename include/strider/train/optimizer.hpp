// Optimizers with Keras 3's update rules and default hyper-parameters: SGD (momentum, Nesterov)
// and Adam. Their state (slots) is exported by name for checkpoints.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strider/core/tensor.hpp"
#include "strider/train/network.hpp"

namespace strider::train {

struct OptimizerSettings {
  std::string name = "adam";  // "adam" or "sgd"
  double learning_rate = 0.001;
  double momentum = 0.0;                                // sgd
  bool nesterov = false;                                // sgd
  double beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-7;  // adam
  // > 0: the learning rate follows half a cosine from learning_rate at update 0 down to 0 at
  // update decay_steps, and stays 0 after (Keras's CosineDecay, alpha 0); 0: constant.
  std::int64_t decay_steps = 0;

  // The learning rate of update `iteration` (0-based), as the schedule gives it.
  double learning_rate_at(std::int64_t iteration) const;

  // Keras's defaults for `name`: sgd lr 0.01, momentum 0, nesterov false; adam lr 0.001, beta_1
  // 0.9, beta_2 0.999, epsilon 1e-7. Throws InvalidArgument for another name.
  static OptimizerSettings defaults(std::string_view name);
  // Throws InvalidArgument naming the setting: learning rate not finite or <= 0, momentum outside
  // [0, 1), betas outside [0, 1), epsilon <= 0, nesterov without momentum, decay_steps < 0.
  void validate() const;
};

class Optimizer {
 public:
  // Validates `settings` (see OptimizerSettings::validate).
  explicit Optimizer(OptimizerSettings settings);

  // One update of every trainable parameter from its grad, creating its slots on first use, with
  // lr = settings().learning_rate_at(iterations()):
  //   sgd, momentum 0:  w -= lr * g
  //   sgd:              m = momentum * m - lr * g;  w += nesterov ? momentum * m - lr * g : m
  //   adam (step t = iterations + 1):
  //     m += (g - m) * (1 - beta_1);  v += (g^2 - v) * (1 - beta_2)
  //     w -= lr * sqrt(1 - beta_2^t) / (1 - beta_1^t) * m / (sqrt(v) + epsilon)
  // Throws ShapeError when a parameter's grad or slot does not have its value's shape.
  void step(std::span<Parameter* const> parameters);

  const OptimizerSettings& settings() const { return settings_; }
  std::int64_t iterations() const { return iterations_; }

  // The slots by name, "<parameter>/momentum" (sgd with momentum, adam) and "<parameter>/velocity"
  // (adam), in parameter order.
  std::vector<std::pair<std::string, Tensor>> slots() const;
  // Replaces the state: `iterations` and the slots (names as slots() gives them). Throws
  // FormatError for a slot name this optimizer does not use.
  void set_state(std::int64_t iterations, std::vector<std::pair<std::string, Tensor>> slots);

 private:
  struct Slot {
    std::string parameter;
    Tensor momentum, velocity;
  };
  Slot& slot_for(const Parameter& p);

  OptimizerSettings settings_;
  std::int64_t iterations_ = 0;
  std::vector<Slot> slots_;
};

}  // namespace strider::train
