// The direct (gather) Conv2D input gradient, one entry point per ISA (conv2d_backward_direct.inl
// compiled by conv2d_backward_direct_{avx512,avx2,generic}.cpp). Callers check the CPU first and
// go through the kernel list, never straight here.
#pragma once

#include "kernels/conv2d_backward/conv2d_backward_kernel.hpp"

namespace strider::kernels {

void conv2d_backward_input_nhwc_direct_avx512(const Conv2DBackwardInputProblem& p);
void conv2d_backward_input_nhwc_direct_avx2(const Conv2DBackwardInputProblem& p);
void conv2d_backward_input_nhwc_direct_generic(const Conv2DBackwardInputProblem& p);

}  // namespace strider::kernels
