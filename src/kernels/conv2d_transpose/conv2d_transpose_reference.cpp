// The reference transposed convolution: the forward windows read the other way. Input position i
// is the forward window i over the output, so its value scatters to output positions tap(i, j).
// Sums are accumulated in double, then the bias and activation are applied once.
#include <vector>

#include "kernels/conv2d_transpose/conv2d_transpose_kernel.hpp"
#include "strider/core/memory.hpp"

namespace strider::kernels {

void conv2d_transpose_nhwc_reference(const Conv2DTransposeProblem& p) {
  const Conv2DTransposeGeometry& g = p.geometry;
  const Window& wh = g.height;
  const Window& ww = g.width;
  const std::int64_t in_h = wh.output_size(), in_w = ww.output_size();
  const std::int64_t out_h = wh.input_size(), out_w = ww.input_size();
  const std::int64_t kw_size = ww.kernel_size();
  const std::int64_t ci_all = g.in_channels, co_all = g.out_channels;
  const std::int64_t acc_size = out_h * out_w * co_all;
  const MemoryReservation scratch(acc_size * static_cast<std::int64_t>(sizeof(double)),
                                  "conv2d_transpose: the accumulator for one image");
  std::vector<double> acc(static_cast<std::size_t>(acc_size));
  for (std::int64_t n = 0; n < g.batch; ++n) {
    std::fill(acc.begin(), acc.end(), 0.0);
    for (std::int64_t ih = 0; ih < in_h; ++ih) {
      const TapRange th = wh.valid_taps(ih);
      for (std::int64_t iw = 0; iw < in_w; ++iw) {
        const TapRange tw = ww.valid_taps(iw);
        const float* x = p.input + ((n * in_h + ih) * in_w + iw) * ci_all;
        for (std::int64_t kh = th.begin; kh < th.end; ++kh) {
          const std::int64_t oh = wh.tap(ih, kh);
          for (std::int64_t kw = tw.begin; kw < tw.end; ++kw) {
            double* out = acc.data() + (oh * out_w + ww.tap(iw, kw)) * co_all;
            const float* w = p.filter + (kh * kw_size + kw) * co_all * ci_all;
            for (std::int64_t co = 0; co < co_all; ++co) {
              double sum = 0.0;
              for (std::int64_t ci = 0; ci < ci_all; ++ci) {
                sum += static_cast<double>(x[ci]) * static_cast<double>(w[co * ci_all + ci]);
              }
              out[co] += sum;
            }
          }
        }
      }
    }
    float* out = p.output + n * out_h * out_w * co_all;
    for (std::int64_t i = 0; i < out_h * out_w; ++i) {
      for (std::int64_t co = 0; co < co_all; ++co) {
        const double b = p.bias != nullptr ? p.bias[co] : 0.0;
        out[i * co_all + co] = apply_activation(
            p.activation, static_cast<float>(acc[static_cast<std::size_t>(i * co_all + co)] + b));
      }
    }
  }
}

}  // namespace strider::kernels
