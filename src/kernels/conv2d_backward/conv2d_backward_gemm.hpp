// The column-matrix ("im2col") Conv2D backward kernels, one entry point set per ISA
// (conv2d_backward_gemm.inl compiled by conv2d_backward_gemm_{avx512,avx2,generic}.cpp). Callers
// check the CPU first and go through the kernel list, never straight here.
#pragma once

#include "kernels/conv2d_backward/conv2d_backward_kernel.hpp"

namespace strider::kernels {

#define STRIDER_DECLARE_BACKWARD_GEMM(isa)                                           \
  void conv2d_backward_input_nhwc_gemm_##isa(const Conv2DBackwardInputProblem& p);   \
  void conv2d_backward_filter_nhwc_gemm_##isa(const Conv2DBackwardFilterProblem& p); \
  void conv2d_backward_filter_rows_nhwc_gemm_##isa(const Conv2DBackwardFilterProblem& p);

STRIDER_DECLARE_BACKWARD_GEMM(avx512)
STRIDER_DECLARE_BACKWARD_GEMM(avx2)
STRIDER_DECLARE_BACKWARD_GEMM(generic)
#undef STRIDER_DECLARE_BACKWARD_GEMM

}  // namespace strider::kernels
