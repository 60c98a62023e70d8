#include "strider/ops/activation.hpp"

#include <fmt/format.h>

#include "strider/core/error.hpp"

namespace strider {

Activation parse_activation(std::string_view text, std::string_view what) {
  if (text == "linear" || text == "none") return Activation::kLinear;
  if (text == "relu") return Activation::kRelu;
  throw InvalidArgument(fmt::format("{}: expected 'linear' or 'relu', got '{}'", what, text));
}

std::string_view activation_name(Activation activation) {
  return activation == Activation::kRelu ? "relu" : "linear";
}

}  // namespace strider
