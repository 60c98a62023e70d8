// The contract of the 2-D pooling kernels (max and average) and their list, best first with the
// reference last.
#pragma once

#include <span>
#include <string_view>

#include "kernels/kernel_entry.hpp"
#include "strider/geometry/pool2d_geometry.hpp"
#include "strider/ops/pool2d.hpp"

namespace strider::kernels {

// Dense NHWC input and output; the geometry is validated, kernels check nothing.
struct Pool2DProblem {
  const Pool2DGeometry& geometry;
  PoolOp op;
  const float* input;
  float* output;
};

using Pool2DKernel = KernelEntry<Pool2DGeometry, Pool2DProblem>;

std::span<const Pool2DKernel> pool2d_kernels();
const Pool2DKernel& select_pool2d_kernel(const Pool2DGeometry& geometry, std::string_view name);

void pool2d_nhwc_direct_avx512(const Pool2DProblem& problem);
void pool2d_nhwc_direct_avx2(const Pool2DProblem& problem);
void pool2d_nhwc_reference(const Pool2DProblem& problem);

}  // namespace strider::kernels
