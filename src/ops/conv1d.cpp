#include "strider/ops/conv1d.hpp"

#include <fmt/format.h>

#include <string>

#include "strider/core/error.hpp"
#include "strider/core/parse.hpp"
#include "strider/ops/conv2d.hpp"

namespace strider {

AxisPadding parse_padding_1d(std::string_view text, std::string_view what) {
  if (text == "valid" || text == "VALID") return {PaddingKind::kValid};
  if (text == "same" || text == "SAME") return {PaddingKind::kSame};
  if (text == "causal") return {PaddingKind::kCausal};
  if (!text.empty() && (text[0] == '-' || (text[0] >= '0' && text[0] <= '9'))) {
    const auto pads = parse_int_list(text, what);
    if (pads.size() == 2) {
      if (pads[0] < 0 || pads[1] < 0) {
        throw InvalidArgument(
            fmt::format("{}: explicit padding must be >= 0, got '{}'", what, text));
      }
      return {PaddingKind::kExplicit, pads[0], pads[1]};
    }
  }
  throw InvalidArgument(fmt::format(
      "{}: expected 'valid', 'same', 'causal' or two integers B,A, got '{}'", what, text));
}

Tensor conv1d(const Tensor& input, const Tensor& filter, const Tensor* bias,
              const Conv1DOptions& options) {
  if (input.rank() != 3) {
    throw ShapeError(
        fmt::format("conv1d: input must be rank 3 [N, L, C], got {}", format_shape(input.shape())));
  }
  if (filter.rank() != 3) {
    throw ShapeError(fmt::format("conv1d: filter must be rank 3 [k, C / groups, F], got {}",
                                 format_shape(filter.shape())));
  }
  // The length axis first, so that its errors name it; then the 2-D op on a height of 1.
  Window::make(input.dim(1), {filter.dim(0), options.stride, options.dilation, options.padding},
               "conv1d", "length");
  Conv2DOptions conv;
  conv.params.strides = {1, options.stride};
  conv.params.dilation = {1, options.dilation};
  conv.params.padding = {options.padding.kind, 0, 0, options.padding.before, options.padding.after};
  conv.params.groups = options.groups;
  conv.activation = options.activation;
  Tensor out =
      conv2d(input.reshaped({input.dim(0), 1, input.dim(1), input.dim(2)}),
             filter.reshaped({1, filter.dim(0), filter.dim(1), filter.dim(2)}), bias, conv);
  return std::move(out).reshaped({out.dim(0), out.dim(2), out.dim(3)});
}

}  // namespace strider
