#include "ops/checks.hpp"

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

void check_output(const Tensor& input, const Tensor& output, const Shape& want,
                  std::string_view op) {
  if (output.shape() != want) {
    throw ShapeError(fmt::format("{}: output must have shape {} for input {}, got {}", op,
                                 format_shape(want), format_shape(input.shape()),
                                 format_shape(output.shape())));
  }
  if (!output.empty() && output.data() == input.data()) {
    throw InvalidArgument(fmt::format("{}: output must not be the input tensor", op));
  }
}

}  // namespace strider
