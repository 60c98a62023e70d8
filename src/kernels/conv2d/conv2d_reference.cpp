// The reference Conv2D: plain loops over geometry's taps, accumulating in double. It is the oracle
// every fast kernel is tested against and the fallback for any geometry.
#include "kernels/conv2d/conv2d_kernel.hpp"

namespace strider::kernels {

void conv2d_nhwc_reference(const Conv2DProblem& p) {
  const Conv2DGeometry& g = p.geometry;
  const Window& wh = g.height;
  const Window& ww = g.width;
  const std::int64_t in_h = wh.input_size(), in_w = ww.input_size();
  const std::int64_t out_h = wh.output_size(), out_w = ww.output_size();
  const std::int64_t kw_size = ww.kernel_size();
  const std::int64_t c_all = g.in_channels, cg = g.in_channels_per_group();
  const std::int64_t f_all = g.out_channels, fg = g.out_channels_per_group();

  for (std::int64_t n = 0; n < g.batch; ++n) {
    for (std::int64_t oh = 0; oh < out_h; ++oh) {
      const TapRange th = wh.valid_taps(oh);
      for (std::int64_t ow = 0; ow < out_w; ++ow) {
        const TapRange tw = ww.valid_taps(ow);
        float* out = p.output + ((n * out_h + oh) * out_w + ow) * f_all;
        for (std::int64_t f = 0; f < f_all; ++f) {
          const std::int64_t c0 = (f / fg) * cg;
          double acc = p.bias != nullptr ? p.bias[f] : 0.0;
          for (std::int64_t kh = th.begin; kh < th.end; ++kh) {
            const std::int64_t ih = wh.tap(oh, kh);
            for (std::int64_t kw = tw.begin; kw < tw.end; ++kw) {
              const std::int64_t iw = ww.tap(ow, kw);
              const float* x = p.input + ((n * in_h + ih) * in_w + iw) * c_all + c0;
              const float* w = p.filter + ((kh * kw_size + kw) * cg) * f_all + f;
              for (std::int64_t c = 0; c < cg; ++c) {
                acc += static_cast<double>(x[c]) * static_cast<double>(w[c * f_all]);
              }
            }
          }
          out[f] = apply_activation(p.activation, static_cast<float>(acc));
        }
      }
    }
  }
}

}  // namespace strider::kernels
