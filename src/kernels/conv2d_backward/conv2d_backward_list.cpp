// The Conv2D backward kernel lists, best first with the reference last, and their selectors.
#include <algorithm>
#include <array>

#include "kernels/conv2d/conv2d_direct.hpp"
#include "kernels/conv2d_backward/conv2d_backward_direct.hpp"
#include "kernels/conv2d_backward/conv2d_backward_gemm.hpp"
#include "kernels/conv2d_backward/conv2d_backward_kernel.hpp"
#include "kernels/depthwise_backward/depthwise_backward.hpp"
#include "kernels/select.hpp"
#include "strider/core/tensor.hpp"

namespace strider::kernels {
namespace {

bool supports_everything(const Conv2DGeometry&) { return true; }

// A problem whose products all vanish (no images, pixels, filters or taps, or an input of no
// values, whose windows read padding only) has zero gradients. Every listed kernel answers it
// here, before it sizes a plan by one image (2^61 columns in an empty batch, or 2^32 in an image
// of no rows: the geometry fuzzer) or walks output positions that read nothing.
bool reads_input(const Conv2DGeometry& g) {
  return g.macs() != 0 && shape_size(g.input_shape()) != 0;
}

void zero_gradients(const Conv2DBackwardInputProblem& p) {
  const Conv2DGeometry& g = p.geometry;
  if (g.batch == 0) return;
  std::fill_n(p.grad_input, shape_size(g.input_shape()), 0.0f);
  if (p.relu != nullptr) std::fill_n(p.relu->image_sums, g.batch * g.in_channels, 0.0);
}

void zero_gradients(const Conv2DBackwardFilterProblem& p) {
  std::fill_n(p.grad_filter, shape_size(p.geometry.filter_shape()), 0.0f);
}

// Kernel(p) where its products read input, else zero gradients.
template <auto Kernel, class Problem>
void checked_run(const Problem& p) {
  if (reads_input(p.geometry)) {
    Kernel(p);
  } else {
    zero_gradients(p);
  }
}

template <auto Kernel>
constexpr auto input_gradient = &checked_run<Kernel, Conv2DBackwardInputProblem>;
template <auto Kernel>
constexpr auto filter_gradient = &checked_run<Kernel, Conv2DBackwardFilterProblem>;

// The column-matrix kernels vectorise over filters (filter gradient) or taps (input gradient);
// with fewer than 4 filters per group most lanes would idle, and the reference's plain loops do as
// well.
bool gemm_fits(const Conv2DGeometry& g) { return g.out_channels_per_group() >= 4; }
bool on_avx512(const Conv2DGeometry& g) { return gemm_fits(g) && cpu_has_avx512(); }
bool on_avx2(const Conv2DGeometry& g) { return gemm_fits(g) && cpu_has_avx2(); }
// The direct input gradient gathers each pixel's windows with the channels as lanes: no column
// matrix, zero fill or scatter. It needs enough channels per group to fill a vector. With
// AVX-512 it leads where one tap of the filter is at most 16 KiB (C/groups x F/groups <= 4096),
// so the few taps a tile reads stay in L1: 64x28x28x32 -> 64 3x3 s2 (the training CNN's second
// layer) 3.5 ms against the column matrices' 4.2 ms on one thread, 2.1 against 2.5 on two (Ice
// Lake). With 64 x 64 channels (the third layer, 64x14x14x64 -> 64 s2, ReLU folded) it took as
// long as the column matrices on Ice Lake and 6% less on Zen 5 (1.08-1.11 against 1.15-1.18 ms on
// one thread, 0.56-0.61 against 0.60-0.64 on two; three runs of strider_conv2d_backward_bench).
// With AVX2 (12 accumulators) it was slower on every training shape, so it runs there only where
// the column matrices do not (F/groups < 4).
bool direct_fits(const Conv2DGeometry& g) { return g.in_channels_per_group() >= 8; }
bool direct_on_avx512(const Conv2DGeometry& g) {
  return direct_fits(g) && g.in_channels_per_group() * g.out_channels_per_group() <= 4096 &&
         cpu_has_avx512();
}
bool direct_on_avx2(const Conv2DGeometry& g) { return direct_fits(g) && cpu_has_avx2(); }
// The few-channel filter gradient reads its column matrix in place from a padded copy of the
// input: faster where a tap is 1-4 floats and building the matrix costs more than the products.
// It pads and walks the input once per group, so it takes ungrouped layers only (a network's
// first layer), ahead of the depthwise kernels for C = 1. With 32-64 channels (the CNN's later
// layers) the column matrices were as fast or faster (64x14x14x64 -> 64 s2: 3.5 against 2.0 ms
// on one thread).
// The padded copy spans the windows' extent (geometry's Window::extent), which explicit padding
// far beyond the input (2^62 columns) or a dilation far beyond it (a copy of 7 GB for a 3x3
// input, both found by the geometry fuzzer) make many times the input: there the column
// matrices, which gather only real taps, take it. A network's padding and dilation leave the
// extent within the input plus a few cells (28 -> 30 for the CNN's first layer).
bool modest_extent(const Window& w) {
  return static_cast<double>(w.extent()) <= 2.0 * static_cast<double>(w.input_size()) + 16.0;
}
bool few_channels(const Conv2DGeometry& g) {
  return gemm_fits(g) && g.groups == 1 && g.in_channels <= 4 && modest_extent(g.height) &&
         modest_extent(g.width);
}
bool few_channels_on_avx512(const Conv2DGeometry& g) { return few_channels(g) && cpu_has_avx512(); }
bool few_channels_on_avx2(const Conv2DGeometry& g) { return few_channels(g) && cpu_has_avx2(); }
// Depthwise (one input channel per group, any multiplier) goes to the direct kernels, which
// vectorise over all channels at once; the column-matrix ones would run one group at a time.
bool depthwise_on_avx512(const Conv2DGeometry& g) { return is_depthwise(g) && cpu_has_avx512(); }
bool depthwise_on_avx2(const Conv2DGeometry& g) { return is_depthwise(g) && cpu_has_avx2(); }

const std::array kInputKernels = {
    Conv2DBackwardInputKernel{"depthwise_avx512", depthwise_on_avx512,
                              input_gradient<depthwise_backward_input_nhwc_direct_avx512>},
    Conv2DBackwardInputKernel{"depthwise_avx2", depthwise_on_avx2,
                              input_gradient<depthwise_backward_input_nhwc_direct_avx2>},
    Conv2DBackwardInputKernel{"depthwise_generic", is_depthwise,
                              input_gradient<depthwise_backward_input_nhwc_direct_generic>},
    Conv2DBackwardInputKernel{"direct_avx512", direct_on_avx512,
                              input_gradient<conv2d_backward_input_nhwc_direct_avx512>},
    Conv2DBackwardInputKernel{"gemm_avx512", on_avx512,
                              input_gradient<conv2d_backward_input_nhwc_gemm_avx512>},
    Conv2DBackwardInputKernel{"gemm_avx2", on_avx2,
                              input_gradient<conv2d_backward_input_nhwc_gemm_avx2>},
    Conv2DBackwardInputKernel{"direct_avx2", direct_on_avx2,
                              input_gradient<conv2d_backward_input_nhwc_direct_avx2>},
    Conv2DBackwardInputKernel{"gemm_generic", gemm_fits,
                              input_gradient<conv2d_backward_input_nhwc_gemm_generic>},
    Conv2DBackwardInputKernel{"direct_generic", direct_fits,
                              input_gradient<conv2d_backward_input_nhwc_direct_generic>},
    Conv2DBackwardInputKernel{"reference", supports_everything,
                              input_gradient<conv2d_backward_input_nhwc_reference>},
};

const std::array kFilterKernels = {
    Conv2DBackwardFilterKernel{"rows_avx512", few_channels_on_avx512,
                               filter_gradient<conv2d_backward_filter_rows_nhwc_gemm_avx512>},
    Conv2DBackwardFilterKernel{"rows_avx2", few_channels_on_avx2,
                               filter_gradient<conv2d_backward_filter_rows_nhwc_gemm_avx2>},
    Conv2DBackwardFilterKernel{"depthwise_avx512", depthwise_on_avx512,
                               filter_gradient<depthwise_backward_filter_nhwc_direct_avx512>},
    Conv2DBackwardFilterKernel{"depthwise_avx2", depthwise_on_avx2,
                               filter_gradient<depthwise_backward_filter_nhwc_direct_avx2>},
    Conv2DBackwardFilterKernel{"depthwise_generic", is_depthwise,
                               filter_gradient<depthwise_backward_filter_nhwc_direct_generic>},
    Conv2DBackwardFilterKernel{"gemm_avx512", on_avx512,
                               filter_gradient<conv2d_backward_filter_nhwc_gemm_avx512>},
    Conv2DBackwardFilterKernel{"gemm_avx2", on_avx2,
                               filter_gradient<conv2d_backward_filter_nhwc_gemm_avx2>},
    Conv2DBackwardFilterKernel{"gemm_generic", gemm_fits,
                               filter_gradient<conv2d_backward_filter_nhwc_gemm_generic>},
    // Without vectors the per-tap broadcasts cost more than the matrix saves (24 ms against 18
    // ms for 64x32x32x3 -> 32 3x3): listed for tests and benchmarks, chosen by name only.
    Conv2DBackwardFilterKernel{"rows_generic", few_channels,
                               filter_gradient<conv2d_backward_filter_rows_nhwc_gemm_generic>},
    Conv2DBackwardFilterKernel{"reference", supports_everything,
                               filter_gradient<conv2d_backward_filter_nhwc_reference>},
};

}  // namespace

std::span<const Conv2DBackwardInputKernel> conv2d_backward_input_kernels() { return kInputKernels; }

std::span<const Conv2DBackwardFilterKernel> conv2d_backward_filter_kernels() {
  return kFilterKernels;
}

const Conv2DBackwardInputKernel& select_conv2d_backward_input_kernel(const Conv2DGeometry& geometry,
                                                                     std::string_view name) {
  return select_kernel(conv2d_backward_input_kernels(), geometry, name, "conv2d_backward_input");
}

const Conv2DBackwardFilterKernel& select_conv2d_backward_filter_kernel(
    const Conv2DGeometry& geometry, std::string_view name) {
  return select_kernel(conv2d_backward_filter_kernels(), geometry, name, "conv2d_backward_filter");
}

}  // namespace strider::kernels
