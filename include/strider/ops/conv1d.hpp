// Conv1D, TensorFlow/Keras-exact, including padding "causal" (all padding before: output t sees
// inputs t - (k - 1) * dilation .. t). Computed as a conv2d over [N, 1, L, C].
#pragma once

#include <cstdint>
#include <string_view>

#include "strider/core/tensor.hpp"
#include "strider/geometry/window.hpp"
#include "strider/ops/activation.hpp"

namespace strider {

struct Conv1DOptions {
  std::int64_t stride = 1;
  std::int64_t dilation = 1;
  AxisPadding padding;  // kValid, kSame, kCausal or kExplicit (before, after)
  std::int64_t groups = 1;
  Activation activation = Activation::kLinear;
};

// "valid", "same", "causal" or "B,A" (explicit); throws InvalidArgument naming `what`.
AxisPadding parse_padding_1d(std::string_view text, std::string_view what = "padding");

// input [N, L, C]; filter [k, C / groups, F]; bias [F] or nullptr; output [N, L', F].
// Throws InvalidArgument / ShapeError like conv2d, naming the "length" axis.
Tensor conv1d(const Tensor& input, const Tensor& filter, const Tensor* bias,
              const Conv1DOptions& options = {});

}  // namespace strider
