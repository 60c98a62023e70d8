// The direct depthwise Conv2D backward kernels (depthwise_backward.inl, compiled per ISA by
// depthwise_backward_{avx512,avx2,generic}.cpp). They are entries of the Conv2D backward kernel
// lists (conv2d_backward_list.cpp) for the depthwise geometries; callers check the CPU first and
// go through those lists, never straight here.
#pragma once

#include "kernels/conv2d_backward/conv2d_backward_kernel.hpp"

namespace strider::kernels {

// A depthwise geometry (Conv2DGeometry::make_depthwise): one input channel per group, so output
// channel c * M + m reads input channel c alone, for any multiplier M.
inline bool is_depthwise(const Conv2DGeometry& g) { return g.in_channels_per_group() == 1; }

#define STRIDER_DECLARE_DEPTHWISE_BACKWARD(isa)                                         \
  void depthwise_backward_input_nhwc_direct_##isa(const Conv2DBackwardInputProblem& p); \
  void depthwise_backward_filter_nhwc_direct_##isa(const Conv2DBackwardFilterProblem& p);

STRIDER_DECLARE_DEPTHWISE_BACKWARD(avx512)
STRIDER_DECLARE_DEPTHWISE_BACKWARD(avx2)
STRIDER_DECLARE_DEPTHWISE_BACKWARD(generic)
#undef STRIDER_DECLARE_DEPTHWISE_BACKWARD

}  // namespace strider::kernels
