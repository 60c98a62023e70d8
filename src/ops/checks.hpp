// The argument checks the ops share: a bias, and an output tensor written into.
#pragma once

#include <cstdint>
#include <string_view>

#include "strider/core/tensor.hpp"

namespace strider {

// Throws ShapeError unless `bias` is null or of shape (length,); `what` names what the length
// must match ("filters", "output channels").
void check_bias(const Tensor* bias, std::int64_t length, std::string_view op,
                std::string_view what);

// For the ops that write into a caller's tensor (Conv2DPlan::run, depthwise_conv2d): throws
// ShapeError unless `output` has shape `want` (the message names both and the input's), and
// InvalidArgument when `output` is `input` itself.
void check_output(const Tensor& input, const Tensor& output, const Shape& want,
                  std::string_view op);

}  // namespace strider
