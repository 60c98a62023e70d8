// The depthwise kernel list, best first with the reference last, and the reference itself: the
// grouped conv2d reference, since [kh, kw, C, M] and HWIO [kh, kw, 1, C * M] share one layout.
#include <algorithm>
#include <array>

#include "kernels/aligned.hpp"
#include "kernels/conv2d/conv2d_direct.hpp"
#include "kernels/conv2d/conv2d_kernel.hpp"
#include "kernels/depthwise/depthwise_kernel.hpp"
#include "kernels/parallel.hpp"
#include "kernels/select.hpp"
#include "strider/core/memory.hpp"

namespace strider::kernels {
namespace {

bool multiplier_one(const Conv2DGeometry& g) { return g.out_channels == g.in_channels; }
bool on_avx512(const Conv2DGeometry& g) { return multiplier_one(g) && cpu_has_avx512(); }
bool on_avx2(const Conv2DGeometry& g) { return multiplier_one(g) && cpu_has_avx2(); }
bool multiplier_many(const Conv2DGeometry& g) { return g.out_channels > g.in_channels; }
bool widened_on_avx512(const Conv2DGeometry& g) { return multiplier_many(g) && cpu_has_avx512(); }
bool widened_on_avx2(const Conv2DGeometry& g) { return multiplier_many(g) && cpu_has_avx2(); }
bool supports_everything(const Conv2DGeometry&) { return true; }

// A multiplier M > 1 through a multiplier-1 kernel: the input widened to C * M channels, channel c
// repeated M times, so that input channel o = c * M + m lines up with output channel o, and the
// filter [kh, kw, C, M] is already the [kh, kw, C * M, 1] of that convolution (same windows,
// groups = C * M). The grouped conv2d kernel it replaces ran one input channel per group:
// 64x28x28x16 with M = 2 took 12-20 ms against 2.5-3 ms for the same layer's input gradient.
template <void (*kRun)(const DepthwiseProblem&)>
void widened(const DepthwiseProblem& p) {
  const Conv2DGeometry& g = p.geometry;
  Conv2DGeometry wide = g;
  wide.in_channels = g.out_channels;
  wide.groups = g.out_channels;
  const std::int64_t pixels = g.batch * g.height.input_size() * g.width.input_size();
  const std::int64_t c_all = g.in_channels, m_all = g.out_channels / g.in_channels;
  const MemoryReservation scratch(
      pixels * g.out_channels * static_cast<std::int64_t>(sizeof(float)),
      "depthwise_conv2d: the widened input");
  const AlignedFloats input = aligned_floats_for_overwrite(pixels * g.out_channels);
  const std::int64_t per_image = pixels / std::max<std::int64_t>(1, g.batch);
  parallel_for(g.batch, g.macs() >= kDepthwiseParallelMacs, [&](std::int64_t n) {
    widen_channels(p.input + n * per_image * c_all, per_image * c_all, m_all,
                   input.get() + n * per_image * g.out_channels);
  });
  kRun({wide, input.get(), p.filter, p.bias, p.output, p.activation});
}

// Any multiplier, through the fastest grouped conv2d kernel (one packed filter per call).
void depthwise_grouped_conv2d(const DepthwiseProblem& p) {
  const Conv2DKernel& k = select_conv2d_kernel(p.geometry, {});
  AlignedFloats packed;
  if (k.pack != nullptr) {
    packed = aligned_floats_for_overwrite(k.packed_size(p.geometry));
    k.pack(p.geometry, p.filter, packed.get());
  }
  k.run({p.geometry, p.input, p.filter, packed.get(), p.bias, p.output, p.activation});
}

const std::array kDepthwiseKernels = {
    DepthwiseKernel{"direct_avx512", on_avx512, depthwise_nhwc_direct_avx512},
    DepthwiseKernel{"direct_avx2", on_avx2, depthwise_nhwc_direct_avx2},
    DepthwiseKernel{"widened_avx512", widened_on_avx512, widened<depthwise_nhwc_direct_avx512>},
    DepthwiseKernel{"widened_avx2", widened_on_avx2, widened<depthwise_nhwc_direct_avx2>},
    DepthwiseKernel{"grouped_conv2d", supports_everything, depthwise_grouped_conv2d},
    DepthwiseKernel{"reference", supports_everything, depthwise_nhwc_reference},
};

}  // namespace

void depthwise_nhwc_reference(const DepthwiseProblem& p) {
  conv2d_nhwc_reference({p.geometry, p.input, p.filter, nullptr, p.bias, p.output, p.activation});
}

std::span<const DepthwiseKernel> depthwise_kernels() { return kDepthwiseKernels; }

const DepthwiseKernel& select_depthwise_kernel(const Conv2DGeometry& geometry,
                                               std::string_view name) {
  return select_kernel(depthwise_kernels(), geometry, name, "depthwise_conv2d");
}

}  // namespace strider::kernels
