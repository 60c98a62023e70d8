#include "strider/ops/conv2d_transpose.hpp"

#include "kernels/conv2d_transpose/conv2d_transpose_kernel.hpp"
#include "ops/checks.hpp"

namespace strider {

Tensor conv2d_transpose(const Tensor& input, const Tensor& filter, const Tensor* bias,
                        const Conv2DTransposeOptions& options) {
  const Conv2DTransposeGeometry g =
      Conv2DTransposeGeometry::make(input.shape(), filter.shape(), options.params);
  check_bias(bias, g.out_channels, "conv2d_transpose", "output channels");
  Tensor output = Tensor::uninitialized(g.output_shape());
  const auto& kernel = kernels::select_conv2d_transpose_kernel(g, {});
  if (!output.empty()) {
    kernel.run({g, input.data(), filter.data(), bias != nullptr ? bias->data() : nullptr,
                output.data(), options.activation});
  }
  return output;
}

}  // namespace strider
