// The reference pooling kernel: plain loops over geometry's taps. Padding never contributes: max
// skips it, the average divides by the number of real taps (TensorFlow's AvgPool).
#include <cmath>
#include <limits>

#include "kernels/pool2d/pool2d_kernel.hpp"

namespace strider::kernels {

void pool2d_nhwc_reference(const Pool2DProblem& p) {
  const Pool2DGeometry& g = p.geometry;
  const Window& wh = g.height;
  const Window& ww = g.width;
  const std::int64_t in_h = wh.input_size(), in_w = ww.input_size();
  const std::int64_t out_h = wh.output_size(), out_w = ww.output_size(), c_all = g.channels;
  for (std::int64_t n = 0; n < g.batch; ++n) {
    for (std::int64_t oh = 0; oh < out_h; ++oh) {
      const TapRange th = wh.valid_taps(oh);
      for (std::int64_t ow = 0; ow < out_w; ++ow) {
        const TapRange tw = ww.valid_taps(ow);
        float* out = p.output + ((n * out_h + oh) * out_w + ow) * c_all;
        const double count = static_cast<double>(th.size() * tw.size());
        for (std::int64_t c = 0; c < c_all; ++c) {
          double sum = 0.0;
          float best = -std::numeric_limits<float>::infinity();
          for (std::int64_t kh = th.begin; kh < th.end; ++kh) {
            const std::int64_t ih = wh.tap(oh, kh);
            for (std::int64_t kw = tw.begin; kw < tw.end; ++kw) {
              const float v = p.input[((n * in_h + ih) * in_w + ww.tap(ow, kw)) * c_all + c];
              sum += v;
              // NaN propagates, as in TensorFlow's MaxPool.
              if (v > best || std::isnan(v)) best = v;
            }
          }
          out[c] = p.op == PoolOp::kMax ? best : static_cast<float>(sum / count);
        }
      }
    }
  }
}

}  // namespace strider::kernels
