// The contract every Conv2D forward kernel fulfils, and the one list that drives dispatch, tests
// and benchmarks (best first, the reference last: it supports everything).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "strider/geometry/conv2d_geometry.hpp"
#include "strider/ops/activation.hpp"

namespace strider::kernels {

// What a kernel works out from the geometry alone before its first multiply (for the direct
// kernels: the pixel classes and the work items). A Conv2DPlan keeps one per input shape and
// hands it back on every call, the way it keeps the packed filter; on the tutorial's 1x10x10x3
// layer this set-up cost a third of the call. Each kernel derives its own type.
struct Conv2DSchedule {
  virtual ~Conv2DSchedule() = default;
};

// Pointers into dense NHWC input, HWIO filter, the kernel's packed filter (null for kernels
// without a pack step), [F] bias (may be null) and NHWC output, with the geometry already
// validated: kernels assume it and check nothing.
struct Conv2DProblem {
  const Conv2DGeometry& geometry;
  const float* input;
  const float* filter;
  const float* packed;
  const float* bias;
  float* output;
  Activation activation;
  // From this kernel's schedule() for this geometry, or null: the kernel then works it out.
  const Conv2DSchedule* schedule = nullptr;
};

struct Conv2DKernel {
  std::string_view name;
  // Whether this kernel handles the geometry on this CPU.
  bool (*supports)(const Conv2DGeometry& geometry);
  void (*run)(const Conv2DProblem& problem);
  // Optional: the filter rearranged for this kernel, once per layer. The packed form depends on
  // the filter shape and groups only, never on the input size.
  std::int64_t (*packed_size)(const Conv2DGeometry& geometry) = nullptr;
  void (*pack)(const Conv2DGeometry& geometry, const float* filter, float* packed) = nullptr;
  // Optional: the set-up run() would do for this geometry, to be passed back in the problem.
  std::unique_ptr<Conv2DSchedule> (*schedule)(const Conv2DGeometry& geometry) = nullptr;
};

// All Conv2D kernels, best first; the last is the reference.
std::span<const Conv2DKernel> conv2d_kernels();

// See select_kernel() in kernels/select.hpp.
const Conv2DKernel& select_conv2d_kernel(const Conv2DGeometry& geometry, std::string_view name);

void conv2d_nhwc_reference(const Conv2DProblem& problem);

}  // namespace strider::kernels
