// The direct depthwise Conv2D backward kernels, written once over an ISA's vector traits `Isa` and
// included by depthwise_backward_<isa>.cpp inside that ISA's region. Channels are the lanes: with
// multiplier M, output channel o = c * M + m is a lane of its own and input channel c is read M
// times, so both gradients run over the C * M output channels (O below) and fold M back at the
// end where the input gradient needs it.
//   input:  dx[n, i, j, c] = sum over the windows reading (i, j) and m of dy[n, oh, ow, o] *
//           w[kh, kw, o]: a gather, each element written once by one thread, so its bits do not
//           depend on the thread count.
//   filter: dw[kh, kw, o] = sum over n, oh, ow of x[n, tap(oh, kh), tap(ow, kw), c] *
//           dy[n, oh, ow, o]: thread t sums rows [R * t / T, R * (t + 1) / T) of (n, oh) into its
//           own partial, and the partials are added in thread order, so the same thread count
//           gives the same bits.
// This file has no include guard on purpose: each ISA translation unit includes it once.

namespace strider::kernels {
namespace STRIDER_ISA_NAMESPACE {

using V = Isa::V;
constexpr std::int64_t kLanes = Isa::kLanes;
// Vectors per step: 4 independent FMA chains (8 in the filter gradient, which keeps two sets).
constexpr int kBlock = 4;

// Calls body.template operator()<NV, kMasked>(o0, lanes) over the channels [0, o_all): blocks of
// kBlock whole vectors, then one call for the 1-3 whole vectors left, then the last lanes
// (kMasked, NV = 1). Channels short of a block went a masked vector at a time before: with 32
// channels AVX-512 ran two one-chain passes of masked loads where AVX2 ran one block, and took
// 1.5x AVX2's time on both gradients (strider_conv2d_backward_bench 'dw ').
template <class Body>
void over_channels(std::int64_t o_all, const Body& body) {
  std::int64_t o0 = 0;
  for (; o0 + kBlock * kLanes <= o_all; o0 += kBlock * kLanes) {
    body.template operator()<kBlock, false>(o0, kLanes);
  }
  switch ((o_all - o0) / kLanes) {
    case 3:
      body.template operator()<3, false>(o0, kLanes);
      o0 += 3 * kLanes;
      break;
    case 2:
      body.template operator()<2, false>(o0, kLanes);
      o0 += 2 * kLanes;
      break;
    case 1:
      body.template operator()<1, false>(o0, kLanes);
      o0 += kLanes;
      break;
    default:
      break;
  }
  if (o0 < o_all) body.template operator()<1, true>(o0, o_all - o0);
}

// NV vectors from p: whole ones, or with kMasked (NV = 1) the first `lanes`.
template <int NV, bool kMasked>
[[gnu::always_inline]] inline V load_lanes(const float* p, std::int64_t lanes) {
  if constexpr (kMasked) {
    return Isa::load(p, lanes);
  } else {
    return Isa::load(p);
  }
}

int teams_for(const Conv2DGeometry& g) {
  return g.macs() >= kDepthwiseParallelMacs ? std::max(1, omp_get_max_threads()) : 1;
}

// One input pixel (ih, iw) and the Readers of both axes.
struct PixelReaders {
  const Readers& h;
  const Readers& w;
  std::int64_t ih, iw;
};

// Channels [o0, o0 + NV * kLanes) of one input pixel (with kMasked, NV = 1: [o0, o0 + lanes)) of
// the per-output-channel gradient sum, stored to out.
template <int NV, bool kMasked>
void gather_pixel(const float* dy_image, const float* filter, std::int64_t o_all,
                  std::int64_t out_w, std::int64_t kw_size, const PixelReaders& r, std::int64_t o0,
                  std::int64_t lanes, float* out) {
  V acc[NV];
  _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) acc[v] = Isa::zero();
  const auto h0 = static_cast<std::size_t>(r.h.start[static_cast<std::size_t>(r.ih)]);
  const auto h1 = static_cast<std::size_t>(r.h.start[static_cast<std::size_t>(r.ih + 1)]);
  const auto w0 = static_cast<std::size_t>(r.w.start[static_cast<std::size_t>(r.iw)]);
  const auto w1 = static_cast<std::size_t>(r.w.start[static_cast<std::size_t>(r.iw + 1)]);
  for (std::size_t a = h0; a < h1; ++a) {
    const float* dy_row = dy_image + r.h.output[a] * out_w * o_all + o0;
    const float* w_row = filter + r.h.tap[a] * kw_size * o_all + o0;
    for (std::size_t b = w0; b < w1; ++b) {
      const float* dy = dy_row + r.w.output[b] * o_all;
      const float* w = w_row + r.w.tap[b] * o_all;
      _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) {
        acc[v] = Isa::fmadd(load_lanes<NV, kMasked>(dy + v * kLanes, lanes),
                            load_lanes<NV, kMasked>(w + v * kLanes, lanes), acc[v]);
      }
    }
  }
  _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) {
    Isa::store(out + o0 + v * kLanes, acc[v], kMasked ? lanes : kLanes);
  }
}

void input_gradient(const Conv2DBackwardInputProblem& p) {
  const Conv2DGeometry& g = p.geometry;
  const std::int64_t in_h = g.height.input_size(), in_w = g.width.input_size();
  const std::int64_t out_h = g.height.output_size(), out_w = g.width.output_size();
  const std::int64_t c_all = g.in_channels, o_all = g.out_channels, m_all = o_all / c_all;
  const std::int64_t kw_size = g.width.kernel_size();
  const Readers rh = readers_of(g.height), rw = readers_of(g.width);
  const std::int64_t rows = g.batch * in_h;
  const int teams = teams_for(g);
#pragma omp parallel num_threads(teams) if (teams > 1)
  {
    const std::int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
    // With M > 1 the O sums of a pixel land here first and are folded to C.
    const AlignedFloats sums = aligned_floats(m_all > 1 ? o_all : 0);
    for (std::int64_t r = rows * t / nt; r < rows * (t + 1) / nt; ++r) {
      const std::int64_t n = r / in_h, ih = r % in_h;
      const float* dy_image = p.grad_output + n * out_h * out_w * o_all;
      for (std::int64_t iw = 0; iw < in_w; ++iw) {
        float* dx = p.grad_input + (r * in_w + iw) * c_all;
        float* out = m_all > 1 ? sums.get() : dx;
        const PixelReaders pr{rh, rw, ih, iw};
        over_channels(o_all, [&]<int NV, bool kMasked>(std::int64_t o0, std::int64_t lanes) {
          gather_pixel<NV, kMasked>(dy_image, p.filter, o_all, out_w, kw_size, pr, o0, lanes, out);
        });
        if (m_all > 1) {
          for (std::int64_t c = 0; c < c_all; ++c) {
            float s = 0.0f;
            for (std::int64_t m = 0; m < m_all; ++m) s += out[c * m_all + m];
            dx[c] = s;
          }
        }
      }
    }
  }
  if (p.relu != nullptr) fold_relu_all(p);
}

// For each filter column kw, the outputs [begin, end) whose valid taps include it (an interval:
// tap(o, kw) is increasing in o), found by walking valid_taps.
std::vector<TapRange> outputs_per_tap(const Window& w) {
  std::vector<TapRange> r(static_cast<std::size_t>(w.kernel_size()));
  for (std::int64_t o = 0; o < w.output_size(); ++o) {
    const TapRange t = w.valid_taps(o);
    for (std::int64_t j = t.begin; j < t.end; ++j) {
      TapRange& range = r[static_cast<std::size_t>(j)];
      if (range.size() == 0) range.begin = o;
      range.end = o + 1;
    }
  }
  return r;
}

// dst[o0, o0 + NV * kLanes) (with kMasked, NV = 1: [o0, o0 + lanes)) += sum over ow in `outputs`
// of x[tap(ow, kw)] * dy[ow], x and dy rows with a pitch of o_all per pixel. Two accumulator sets
// (even and odd ow) double the independent FMA chains.
template <int NV, bool kMasked>
void filter_row(const Window& ww, std::int64_t kw, TapRange outputs, const float* x_row,
                const float* dy_row, std::int64_t o_all, std::int64_t o0, std::int64_t lanes,
                float* dst) {
  V even[NV], odd[NV];
  _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) even[v] = odd[v] = Isa::zero();
  const auto step = [&](V* acc, std::int64_t ow) {
    const float* x = x_row + ww.tap(ow, kw) * o_all + o0;
    const float* dy = dy_row + ow * o_all + o0;
    _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) {
      acc[v] = Isa::fmadd(load_lanes<NV, kMasked>(x + v * kLanes, lanes),
                          load_lanes<NV, kMasked>(dy + v * kLanes, lanes), acc[v]);
    }
  };
  std::int64_t ow = outputs.begin;
  for (; ow + 1 < outputs.end; ow += 2) {
    step(even, ow);
    step(odd, ow + 1);
  }
  if (ow < outputs.end) step(even, ow);
  _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) {
    const std::int64_t count = kMasked ? lanes : kLanes;
    float* d = dst + o0 + v * kLanes;
    Isa::store(d, Isa::add(Isa::load(d, count), Isa::add(even[v], odd[v])), count);
  }
}

void filter_gradient(const Conv2DBackwardFilterProblem& p) {
  const Conv2DGeometry& g = p.geometry;
  const Window& wh = g.height;
  const Window& ww = g.width;
  const std::int64_t in_h = wh.input_size(), in_w = ww.input_size();
  const std::int64_t out_h = wh.output_size(), out_w = ww.output_size();
  const std::int64_t c_all = g.in_channels, o_all = g.out_channels, m_all = o_all / c_all;
  const std::int64_t kw_size = ww.kernel_size();
  const std::int64_t size = wh.kernel_size() * kw_size * o_all;
  const std::vector<TapRange> per_kw = outputs_per_tap(ww);
  const std::int64_t rows = g.batch * out_h;
  const int teams = teams_for(g);
  const MemoryReservation scratch(teams * (size + (m_all > 1 ? in_h * in_w * o_all : 0)) *
                                      static_cast<std::int64_t>(sizeof(float)),
                                  "depthwise_conv2d_backward_filter: the partial sums");
  const AlignedFloats partials = aligned_floats_for_overwrite(teams * size);
#pragma omp parallel num_threads(teams) if (teams > 1)
  {
    const std::int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
    float* dw = partials.get() + t * size;
    std::fill(dw, dw + size, 0.0f);
    // With M > 1 the current image is widened to O channels (channel c repeated M times), so
    // that x and dy share one lane layout; once per image, as rows are read by up to kh outputs.
    const AlignedFloats wide = aligned_floats(m_all > 1 ? in_h * in_w * o_all : 0);
    std::int64_t wide_image = -1;
    for (std::int64_t r = rows * t / nt; r < rows * (t + 1) / nt; ++r) {
      const std::int64_t n = r / out_h, oh = r % out_h;
      const TapRange th = wh.valid_taps(oh);
      const float* dy_row = p.grad_output + r * out_w * o_all;
      if (m_all > 1 && n != wide_image) {
        widen_channels(p.input + n * in_h * in_w * c_all, in_h * in_w * c_all, m_all, wide.get());
        wide_image = n;
      }
      for (std::int64_t kh = th.begin; kh < th.end; ++kh) {
        const float* x_row = p.input + (n * in_h + wh.tap(oh, kh)) * in_w * c_all;
        if (m_all > 1) x_row = wide.get() + wh.tap(oh, kh) * in_w * o_all;
        for (std::int64_t kw = 0; kw < kw_size; ++kw) {
          const TapRange outputs = per_kw[static_cast<std::size_t>(kw)];
          if (outputs.size() == 0) continue;
          float* dst = dw + (kh * kw_size + kw) * o_all;
          over_channels(o_all, [&]<int NV, bool kMasked>(std::int64_t o0, std::int64_t lanes) {
            filter_row<NV, kMasked>(ww, kw, outputs, x_row, dy_row, o_all, o0, lanes, dst);
          });
        }
      }
    }
#pragma omp barrier
    for (std::int64_t i = size * t / nt; i < size * (t + 1) / nt; ++i) {
      float sum = 0.0f;
      for (std::int64_t j = 0; j < nt; ++j) sum += partials[j * size + i];
      p.grad_filter[i] = sum;
    }
  }
}

}  // namespace STRIDER_ISA_NAMESPACE

void STRIDER_ISA_FUNCTION(input)(const Conv2DBackwardInputProblem& p) {
  STRIDER_ISA_NAMESPACE::input_gradient(p);
}

void STRIDER_ISA_FUNCTION(filter)(const Conv2DBackwardFilterProblem& p) {
  STRIDER_ISA_NAMESPACE::filter_gradient(p);
}

}  // namespace strider::kernels
