// The depthwise Conv2D kernel family: contract, list (best first, reference last) and entry
// points. A depthwise convolution moves about one FLOP per byte, so its kernels vectorise over
// channels and stream the input once; the reference is the grouped conv2d reference.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "kernels/conv2d/conv2d_direct.hpp"
#include "kernels/kernel_entry.hpp"
#include "strider/geometry/conv2d_geometry.hpp"
#include "strider/ops/activation.hpp"

namespace strider::kernels {

// geometry: Conv2DGeometry::make_depthwise (groups = C, out_channels = C * M). input NHWC,
// filter [kh, kw, C, M], bias [C * M] or null, output NHWC; everything validated.
struct DepthwiseProblem {
  const Conv2DGeometry& geometry;
  const float* input;
  const float* filter;
  const float* bias;
  float* output;
  Activation activation;
};

using DepthwiseKernel = KernelEntry<Conv2DGeometry, DepthwiseProblem>;

std::span<const DepthwiseKernel> depthwise_kernels();
const DepthwiseKernel& select_depthwise_kernel(const Conv2DGeometry& geometry,
                                               std::string_view name);

// out[i * m + j] = x[i] for i < count, j < m: an input's channels each repeated m times, so that
// they line up with a multiplier-m depthwise layer's output channels. Plain loops: a library
// fill per value (m floats) took most of a kernel's time.
inline void widen_channels(const float* x, std::int64_t count, std::int64_t m, float* out) {
  for (std::int64_t i = 0; i < count; ++i) {
    for (std::int64_t j = 0; j < m; ++j) out[i * m + j] = x[i];
  }
}

void depthwise_nhwc_direct_avx512(const DepthwiseProblem& problem);
void depthwise_nhwc_direct_avx2(const DepthwiseProblem& problem);
void depthwise_nhwc_reference(const DepthwiseProblem& problem);

}  // namespace strider::kernels
