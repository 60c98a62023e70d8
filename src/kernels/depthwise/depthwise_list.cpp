// The depthwise kernel list, best first with the reference last, and the reference itself: the
// grouped conv2d reference, since [kh, kw, C, M] and HWIO [kh, kw, 1, C * M] share one layout.
#include <array>

#include "kernels/aligned.hpp"
#include "kernels/conv2d/conv2d_direct.hpp"
#include "kernels/conv2d/conv2d_kernel.hpp"
#include "kernels/depthwise/depthwise_kernel.hpp"
#include "kernels/select.hpp"

namespace strider::kernels {
namespace {

bool multiplier_one(const Conv2DGeometry& g) { return g.out_channels == g.in_channels; }
bool on_avx512(const Conv2DGeometry& g) { return multiplier_one(g) && cpu_has_avx512(); }
bool on_avx2(const Conv2DGeometry& g) { return multiplier_one(g) && cpu_has_avx2(); }
bool supports_everything(const Conv2DGeometry&) { return true; }

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
