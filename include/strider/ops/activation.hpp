// Activations fused into the ops that produce their input (Keras's `activation=` argument).
#pragma once

#include <string_view>

namespace strider {

enum class Activation { kLinear, kRelu };

// "linear" (also "none") or "relu"; throws InvalidArgument naming `what` otherwise.
Activation parse_activation(std::string_view text, std::string_view what = "activation");
std::string_view activation_name(Activation activation);

inline float apply_activation(Activation activation, float x) {
  return activation == Activation::kRelu ? (x > 0.0f ? x : 0.0f) : x;
}

}  // namespace strider
