#include "strider/ops/conv2d.hpp"

#include "kernels/conv2d/conv2d_kernel.hpp"
#include "ops/bias.hpp"

namespace strider {

Tensor conv2d(const Tensor& input, const Tensor& filter, const Tensor* bias,
              const Conv2DOptions& options) {
  const Conv2DGeometry g =
      Conv2DGeometry::make(input.shape(), filter.shape(), options.params, "conv2d");
  check_bias(bias, g.out_channels, "conv2d", "filters");
  Tensor output(g.output_shape());
  const kernels::Conv2DKernel& kernel = kernels::select_conv2d_kernel(g, options.kernel);
  if (output.empty()) return output;
  kernel.run({g, input.data(), filter.data(), bias != nullptr ? bias->data() : nullptr,
              output.data(), options.activation});
  return output;
}

}  // namespace strider
