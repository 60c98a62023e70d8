// The transposed-convolution kernel list, best first with the reference last.
#include <array>

#include "kernels/conv2d_transpose/conv2d_transpose_kernel.hpp"
#include "kernels/select.hpp"

namespace strider::kernels {
namespace {

bool supports_everything(const Conv2DTransposeGeometry&) { return true; }

constexpr std::array kConv2DTransposeKernels = {
    Conv2DTransposeKernel{"reference", supports_everything, conv2d_transpose_nhwc_reference},
};

}  // namespace

std::span<const Conv2DTransposeKernel> conv2d_transpose_kernels() {
  return kConv2DTransposeKernels;
}

const Conv2DTransposeKernel& select_conv2d_transpose_kernel(const Conv2DTransposeGeometry& geometry,
                                                            std::string_view name) {
  return select_kernel(conv2d_transpose_kernels(), geometry, name, "conv2d_transpose");
}

}  // namespace strider::kernels
