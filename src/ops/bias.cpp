#include "ops/bias.hpp"

#include <fmt/format.h>

#include "strider/core/error.hpp"

namespace strider {

void check_bias(const Tensor* bias, std::int64_t length, std::string_view op,
                std::string_view what) {
  if (bias != nullptr && (bias->rank() != 1 || bias->dim(0) != length)) {
    throw ShapeError(fmt::format("{}: bias must have shape ({},) to match {} {}, got {}", op,
                                 length, length, what, format_shape(bias->shape())));
  }
}

}  // namespace strider
