// The bias check every op with a bias shares.
#pragma once

#include <cstdint>
#include <string_view>

#include "strider/core/tensor.hpp"

namespace strider {

// Throws ShapeError unless `bias` is null or of shape (length,); `what` names what the length
// must match ("filters", "output channels").
void check_bias(const Tensor* bias, std::int64_t length, std::string_view op,
                std::string_view what);

}  // namespace strider
