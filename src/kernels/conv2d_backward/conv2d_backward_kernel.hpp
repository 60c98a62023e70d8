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

// A ReLU folded into an input gradient: the convolution's input is relu_output = relu(z), and the
// kernel writes dL/dz (its input gradient, zero where relu_output <= 0) and adds up, for each
// image n and channel c, the result over the image's pixels in order into image_sums[n * C + c]
// (double), from which the caller sums the bias gradient of the layer that computed z. One pass
// while an image's gradient is in cache, where a separate pass read it back from memory.
struct ReluFold {
  const float* relu_output;  // NHWC [N, H, W, C], as grad_input
  double* image_sums;        // [N, C], overwritten
};

// grad_output NHWC [N, OH, OW, F], filter HWIO [kh, kw, C / groups, F], grad_input NHWC
// [N, H, W, C], written in full. Geometry validated; kernels check nothing. The lists' entries
// run a kernel only where its products read input (Conv2DGeometry::macs() > 0, an input of some
// values) and write zero gradients otherwise, so the kernels need not handle empty problems.
// Every input kernel applies `relu` when it is set, with fold_relu() on each image once the
// image is complete.
struct Conv2DBackwardInputProblem {
  const Conv2DGeometry& geometry;
  const float* grad_output;
  const float* filter;
  float* grad_input;
  const ReluFold* relu = nullptr;
};

// Applies p.relu to images [n0, n0 + count) of p.grad_input, on the calling thread.
void fold_relu(const Conv2DBackwardInputProblem& p, std::int64_t n0, std::int64_t count);
// The image sums of fold_relu alone, for a kernel that stored its gradient already masked: the
// same sums, bit for bit.
void fold_relu_sums(const Conv2DBackwardInputProblem& p, std::int64_t n0, std::int64_t count);
// The same for every image, on the library's threads; for kernels that finish all images at once.
// With `masked`, fold_relu_sums instead.
void fold_relu_all(const Conv2DBackwardInputProblem& p, bool masked = false);

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
