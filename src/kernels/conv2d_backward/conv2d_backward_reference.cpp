// The reference Conv2D backward kernels: the forward's windows (geometry's taps) read the other
// way, plain loops, sums in double. Input gradient: each grad_output value scatters through its
// window's taps. Filter gradient: each tap gathers input times grad_output over every window.
#include <algorithm>
#include <vector>

#include "kernels/conv2d_backward/conv2d_backward_kernel.hpp"
#include "strider/core/memory.hpp"

namespace strider::kernels {

void conv2d_backward_input_nhwc_reference(const Conv2DBackwardInputProblem& p) {
  const Conv2DGeometry& g = p.geometry;
  const Window& wh = g.height;
  const Window& ww = g.width;
  const std::int64_t in_h = wh.input_size(), in_w = ww.input_size();
  const std::int64_t out_h = wh.output_size(), out_w = ww.output_size();
  const std::int64_t kw_size = ww.kernel_size();
  const std::int64_t c_all = g.in_channels, cg = g.in_channels_per_group();
  const std::int64_t f_all = g.out_channels, fg = g.out_channels_per_group();
  const std::int64_t image = in_h * in_w * c_all;
  const MemoryReservation scratch(image * static_cast<std::int64_t>(sizeof(double)),
                                  "conv2d_backward_input: the accumulator for one image");
  std::vector<double> acc(static_cast<std::size_t>(image));
  for (std::int64_t n = 0; n < g.batch; ++n) {
    std::fill(acc.begin(), acc.end(), 0.0);
    for (std::int64_t oh = 0; oh < out_h; ++oh) {
      const TapRange th = wh.valid_taps(oh);
      for (std::int64_t ow = 0; ow < out_w; ++ow) {
        const TapRange tw = ww.valid_taps(ow);
        const float* dy = p.grad_output + ((n * out_h + oh) * out_w + ow) * f_all;
        for (std::int64_t kh = th.begin; kh < th.end; ++kh) {
          const std::int64_t ih = wh.tap(oh, kh);
          for (std::int64_t kw = tw.begin; kw < tw.end; ++kw) {
            double* dx = acc.data() + (ih * in_w + ww.tap(ow, kw)) * c_all;
            const float* w = p.filter + (kh * kw_size + kw) * cg * f_all;
            for (std::int64_t f = 0; f < f_all; ++f) {
              const std::int64_t c0 = (f / fg) * cg;
              const double d = dy[f];
              for (std::int64_t c = 0; c < cg; ++c) {
                dx[c0 + c] += d * static_cast<double>(w[c * f_all + f]);
              }
            }
          }
        }
      }
    }
    float* out = p.grad_input + n * image;
    for (std::int64_t i = 0; i < image; ++i) {
      out[i] = static_cast<float>(acc[static_cast<std::size_t>(i)]);
    }
    if (p.relu != nullptr) fold_relu(p, n, 1);
  }
}

void conv2d_backward_filter_nhwc_reference(const Conv2DBackwardFilterProblem& p) {
  const Conv2DGeometry& g = p.geometry;
  const Window& wh = g.height;
  const Window& ww = g.width;
  const std::int64_t in_h = wh.input_size(), in_w = ww.input_size();
  const std::int64_t out_h = wh.output_size(), out_w = ww.output_size();
  const std::int64_t kw_size = ww.kernel_size();
  const std::int64_t c_all = g.in_channels, cg = g.in_channels_per_group();
  const std::int64_t f_all = g.out_channels, fg = g.out_channels_per_group();
  const std::int64_t size = wh.kernel_size() * kw_size * cg * f_all;
  const MemoryReservation scratch(size * static_cast<std::int64_t>(sizeof(double)),
                                  "conv2d_backward_filter: the accumulator");
  std::vector<double> acc(static_cast<std::size_t>(size), 0.0);
  for (std::int64_t n = 0; n < g.batch; ++n) {
    for (std::int64_t oh = 0; oh < out_h; ++oh) {
      const TapRange th = wh.valid_taps(oh);
      for (std::int64_t ow = 0; ow < out_w; ++ow) {
        const TapRange tw = ww.valid_taps(ow);
        const float* dy = p.grad_output + ((n * out_h + oh) * out_w + ow) * f_all;
        for (std::int64_t kh = th.begin; kh < th.end; ++kh) {
          const std::int64_t ih = wh.tap(oh, kh);
          for (std::int64_t kw = tw.begin; kw < tw.end; ++kw) {
            const float* x = p.input + ((n * in_h + ih) * in_w + ww.tap(ow, kw)) * c_all;
            double* dw = acc.data() + (kh * kw_size + kw) * cg * f_all;
            for (std::int64_t f = 0; f < f_all; ++f) {
              const std::int64_t c0 = (f / fg) * cg;
              const double d = dy[f];
              for (std::int64_t c = 0; c < cg; ++c) {
                dw[c * f_all + f] += static_cast<double>(x[c0 + c]) * d;
              }
            }
          }
        }
      }
    }
  }
  for (std::int64_t i = 0; i < size; ++i) {
    p.grad_filter[i] = static_cast<float>(acc[static_cast<std::size_t>(i)]);
  }
}

}  // namespace strider::kernels
