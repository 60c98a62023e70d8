// The Conv2D backward kernel families (gradient with respect to the input, and with respect to the
// filter): contracts, lists (best first, the reference last) and entry points. Depthwise is the
// grouped case (Conv2DGeometry::make_depthwise); the transposed convolution's filter gradient is
// this one with input and grad_output swapped.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "kernels/kernel_entry.hpp"
#include "strider/geometry/conv2d_geometry.hpp"

namespace strider::kernels {

// grad_output NHWC [N, OH, OW, F], filter HWIO [kh, kw, C / groups, F], grad_input NHWC
// [N, H, W, C], written in full. Geometry validated; kernels check nothing.
struct Conv2DBackwardInputProblem {
  const Conv2DGeometry& geometry;
  const float* grad_output;
  const float* filter;
  float* grad_input;
};

// input NHWC [N, H, W, C], grad_output NHWC [N, OH, OW, F], grad_filter HWIO
// [kh, kw, C / groups, F], written in full.
struct Conv2DBackwardFilterProblem {
  const Conv2DGeometry& geometry;
  const float* input;
  const float* grad_output;
  float* grad_filter;
};

using Conv2DBackwardInputKernel = KernelEntry<Conv2DGeometry, Conv2DBackwardInputProblem>;
using Conv2DBackwardFilterKernel = KernelEntry<Conv2DGeometry, Conv2DBackwardFilterProblem>;

std::span<const Conv2DBackwardInputKernel> conv2d_backward_input_kernels();
std::span<const Conv2DBackwardFilterKernel> conv2d_backward_filter_kernels();

// See select_kernel() in kernels/select.hpp. An empty name picks the first that supports it.
const Conv2DBackwardInputKernel& select_conv2d_backward_input_kernel(const Conv2DGeometry& geometry,
                                                                     std::string_view name);
const Conv2DBackwardFilterKernel& select_conv2d_backward_filter_kernel(
    const Conv2DGeometry& geometry, std::string_view name);

// Plain loops over geometry's taps, sums in double: the oracles.
void conv2d_backward_input_nhwc_reference(const Conv2DBackwardInputProblem& problem);
void conv2d_backward_filter_nhwc_reference(const Conv2DBackwardFilterProblem& problem);

}  // namespace strider::kernels
