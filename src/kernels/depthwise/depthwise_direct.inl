// The direct depthwise kernel (multiplier 1), written once over an ISA's vector traits `Isa` and
// included by depthwise_direct_<isa>.cpp inside that ISA's region. Channels are the lanes. Along
// each run of output columns with the same valid taps (Window::tap_runs), tiles of kPixels
// neighbouring pixels share each filter load: a tap loads its weights once and reads every
// pixel's input at one stride from the last, so a tap costs 1 + 1 / kPixels loads per FMA
// instead of 2 (the 112x112x96 stride-2 layer ran at half the peers' speed one pixel at a time).
// The columns left over run one pixel at a time over blocks of 4 vectors.
// This file has no include guard on purpose.

namespace strider::kernels {
namespace STRIDER_ISA_NAMESPACE {

using V = Isa::V;
constexpr std::int64_t kLanes = Isa::kLanes;

// One output pixel, channels [c0, c0 + NV * lanes): full vectors only, so the accumulators stay
// in registers; the channel tail goes through pixel_tail.
template <int NV>
void pixel(const DepthwiseProblem& p, std::int64_t n, std::int64_t oh, std::int64_t ow, TapRange th,
           TapRange tw, std::int64_t c0) {
  const Conv2DGeometry& g = p.geometry;
  const std::int64_t c_all = g.in_channels, in_w = g.width.input_size();
  const std::int64_t kw_size = g.width.kernel_size();
  V acc[NV];
  _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) {
    acc[v] = p.bias != nullptr ? Isa::load(p.bias + c0 + v * kLanes) : Isa::zero();
  }
  for (std::int64_t kh = th.begin; kh < th.end; ++kh) {
    const float* x_row =
        p.input + (n * g.height.input_size() + g.height.tap(oh, kh)) * in_w * c_all + c0;
    const float* w_row = p.filter + kh * kw_size * c_all + c0;
    for (std::int64_t kw = tw.begin; kw < tw.end; ++kw) {
      const float* x = x_row + g.width.tap(ow, kw) * c_all;
      const float* w = w_row + kw * c_all;
      _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) {
        acc[v] = Isa::fmadd(Isa::load(x + v * kLanes), Isa::load(w + v * kLanes), acc[v]);
      }
    }
  }
  float* out =
      p.output + ((n * g.height.output_size() + oh) * g.width.output_size() + ow) * c_all + c0;
  _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) {
    Isa::store(out + v * kLanes, p.activation == Activation::kRelu ? Isa::relu(acc[v]) : acc[v],
               kLanes);
  }
}

// The last channels, fewer than a vector's worth at a time, with masked loads and stores.
void pixel_tail(const DepthwiseProblem& p, std::int64_t n, std::int64_t oh, std::int64_t ow,
                TapRange th, TapRange tw, std::int64_t c0) {
  const Conv2DGeometry& g = p.geometry;
  const std::int64_t c_all = g.in_channels, in_w = g.width.input_size();
  for (; c0 < c_all; c0 += kLanes) {
    const std::int64_t lanes = std::min(kLanes, c_all - c0);
    V acc = p.bias != nullptr ? Isa::load(p.bias + c0, lanes) : Isa::zero();
    for (std::int64_t kh = th.begin; kh < th.end; ++kh) {
      const std::int64_t ih = g.height.tap(oh, kh);
      for (std::int64_t kw = tw.begin; kw < tw.end; ++kw) {
        const float* x =
            p.input + ((n * g.height.input_size() + ih) * in_w + g.width.tap(ow, kw)) * c_all + c0;
        const float* w = p.filter + (kh * g.width.kernel_size() + kw) * c_all + c0;
        acc = Isa::fmadd(Isa::load(x, lanes), Isa::load(w, lanes), acc);
      }
    }
    float* out =
        p.output + ((n * g.height.output_size() + oh) * g.width.output_size() + ow) * c_all + c0;
    Isa::store(out, p.activation == Activation::kRelu ? Isa::relu(acc) : acc, lanes);
  }
}

// kPixels output pixels ow0, ow0 + 1, ... of one run (the same valid taps), channels
// [c0, c0 + NV * lanes).
constexpr int kPixels = 4;

template <int NV>
void pixels(const DepthwiseProblem& p, std::int64_t n, std::int64_t oh, std::int64_t ow0,
            TapRange th, TapRange tw, std::int64_t c0) {
  const Conv2DGeometry& g = p.geometry;
  const std::int64_t c_all = g.in_channels, in_w = g.width.input_size();
  const std::int64_t kw_size = g.width.kernel_size();
  // Pixel q reads tap kw at input column tap(ow0, kw) + q * window_step(). Asked for only where
  // the pixels read input: then the step is inside the input (a stride near 2^63 leaves one
  // window, and explicit padding may make the stride far longer than the input: the fuzzer).
  const std::int64_t step = tw.size() > 0 ? g.width.window_step() * c_all : 0;
  V acc[kPixels][NV];
  _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) {
    const V b = p.bias != nullptr ? Isa::load(p.bias + c0 + v * kLanes) : Isa::zero();
    _Pragma("GCC unroll 8") for (int q = 0; q < kPixels; ++q) acc[q][v] = b;
  }
  for (std::int64_t kh = th.begin; kh < th.end; ++kh) {
    const float* x_row =
        p.input + (n * g.height.input_size() + g.height.tap(oh, kh)) * in_w * c_all + c0;
    const float* w_row = p.filter + kh * kw_size * c_all + c0;
    for (std::int64_t kw = tw.begin; kw < tw.end; ++kw) {
      const float* x = x_row + g.width.tap(ow0, kw) * c_all;
      V w[NV];
      _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) w[v] =
          Isa::load(w_row + kw * c_all + v * kLanes);
      _Pragma("GCC unroll 8") for (int q = 0; q < kPixels; ++q) {
        _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) {
          acc[q][v] = Isa::fmadd(Isa::load(x + q * step + v * kLanes), w[v], acc[q][v]);
        }
      }
    }
  }
  float* out =
      p.output + ((n * g.height.output_size() + oh) * g.width.output_size() + ow0) * c_all + c0;
  _Pragma("GCC unroll 8") for (int q = 0; q < kPixels; ++q) {
    _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) {
      Isa::store(out + q * c_all + v * kLanes,
                 p.activation == Activation::kRelu ? Isa::relu(acc[q][v]) : acc[q][v], kLanes);
    }
  }
}

// Channels from c0 on of kPixels pixels, in passes of NV vectors, then of fewer: the widest
// pass is as wide as the registers allow (kPixels x NV accumulators + NV weights), so that
// MobileNetV2's 96 channels take one pass and each pixel's output lines are written in order.
// Three passes (64 + 16 + 16 channels) were about 10% slower there. Returns where the channels
// of whole vectors end.
template <int NV>
std::int64_t wide_passes(const DepthwiseProblem& p, std::int64_t n, std::int64_t oh,
                         std::int64_t ow, TapRange th, TapRange tw, std::int64_t c0) {
  const std::int64_t c_all = p.geometry.in_channels;
  for (; c0 + NV * kLanes <= c_all; c0 += NV * kLanes) pixels<NV>(p, n, oh, ow, th, tw, c0);
  if constexpr (NV > 1) return wide_passes<NV - 1>(p, n, oh, ow, th, tw, c0);
  return c0;
}

constexpr int kWide = static_cast<int>((Isa::kRegisters - 2) / (kPixels + 1));

void run(const DepthwiseProblem& p) {
  const Conv2DGeometry& g = p.geometry;
  constexpr int kBlock = 4;
  const std::int64_t c_all = g.in_channels, out_h = g.height.output_size();
  const std::int64_t rows = g.batch * out_h;
  const bool threaded = g.macs() >= kDepthwiseParallelMacs;
  const std::vector<TapRun> runs = g.width.tap_runs();
  parallel_for(rows, threaded, [&](std::int64_t r) {
    const std::int64_t n = r / out_h, oh = r % out_h;
    const TapRange th = g.height.valid_taps(oh);
    for (const TapRun& run : runs) {
      std::int64_t ow = run.begin;
      for (; ow + kPixels <= run.end; ow += kPixels) {
        const std::int64_t c0 = wide_passes<kWide>(p, n, oh, ow, th, run.taps, 0);
        if (c0 < c_all) {
          for (int q = 0; q < kPixels; ++q) pixel_tail(p, n, oh, ow + q, th, run.taps, c0);
        }
      }
      for (; ow < run.end; ++ow) {
        std::int64_t c0 = 0;
        for (; c0 + kBlock * kLanes <= c_all; c0 += kBlock * kLanes) {
          pixel<kBlock>(p, n, oh, ow, th, run.taps, c0);
        }
        for (; c0 + kLanes <= c_all; c0 += kLanes) pixel<1>(p, n, oh, ow, th, run.taps, c0);
        if (c0 < c_all) pixel_tail(p, n, oh, ow, th, run.taps, c0);
      }
    }
  });
}

}  // namespace STRIDER_ISA_NAMESPACE
}  // namespace strider::kernels
