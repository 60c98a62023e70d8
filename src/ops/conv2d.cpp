#include "strider/ops/conv2d.hpp"

#include <fmt/format.h>

#include "kernels/conv2d/conv2d_kernel.hpp"
#include "strider/core/error.hpp"

namespace strider {

Tensor conv2d(const Tensor& input, const Tensor& filter, const Tensor* bias,
              const Conv2DOptions& options) {
  const Conv2DGeometry g =
      Conv2DGeometry::make(input.shape(), filter.shape(), options.params, "conv2d");
  if (bias != nullptr && (bias->rank() != 1 || bias->dim(0) != g.out_channels)) {
    throw ShapeError(fmt::format("conv2d: bias must have shape ({},) to match {} filters, got {}",
                                 g.out_channels, g.out_channels, format_shape(bias->shape())));
  }
  Tensor output(g.output_shape());
  const kernels::Conv2DKernel& kernel = kernels::select_conv2d_kernel(g, options.kernel);
  if (output.empty()) return output;
  kernel.run({g, input.data(), filter.data(), bias != nullptr ? bias->data() : nullptr,
              output.data(), options.activation});
  return output;
}

}  // namespace strider
