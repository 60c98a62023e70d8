// The contract of the transposed-convolution kernels and their list, best first with the
// reference last.
#pragma once

#include <span>
#include <string_view>

#include "kernels/kernel_entry.hpp"
#include "strider/geometry/conv2d_transpose_geometry.hpp"
#include "strider/ops/activation.hpp"

namespace strider::kernels {

// Dense NHWC input [N, H, W, Cin], filter [kh, kw, Cout, Cin], bias [Cout] (may be null), NHWC
// output; geometry validated.
struct Conv2DTransposeProblem {
  const Conv2DTransposeGeometry& geometry;
  const float* input;
  const float* filter;
  const float* bias;
  float* output;
  Activation activation;
};

using Conv2DTransposeKernel = KernelEntry<Conv2DTransposeGeometry, Conv2DTransposeProblem>;

std::span<const Conv2DTransposeKernel> conv2d_transpose_kernels();
const Conv2DTransposeKernel& select_conv2d_transpose_kernel(const Conv2DTransposeGeometry& geometry,
                                                            std::string_view name);

void conv2d_transpose_nhwc_reference(const Conv2DTransposeProblem& problem);

}  // namespace strider::kernels
