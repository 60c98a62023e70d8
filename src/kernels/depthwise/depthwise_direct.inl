// The direct depthwise kernel (multiplier 1), written once over an ISA's vector traits `Isa` and
// included by depthwise_direct_<isa>.cpp inside that ISA's region. Channels are the lanes; each
// output pixel runs its taps (from geometry's valid_taps) over blocks of 4 vectors at a time, so
// every input byte is read once per tap that covers it and the FMAs have independent chains.
// This file has no include guard on purpose.

namespace strider::kernels {
namespace STRIDER_ISA_NAMESPACE {

using V = Isa::V;
constexpr std::int64_t kLanes = Isa::kLanes;

template <int NV>
void pixel(const DepthwiseProblem& p, std::int64_t n, std::int64_t oh, std::int64_t ow,
           TapRange th, TapRange tw, std::int64_t c0, std::int64_t count) {
  const Conv2DGeometry& g = p.geometry;
  const std::int64_t c_all = g.in_channels, in_w = g.width.input_size();
  const std::int64_t kw_size = g.width.kernel_size();
  V acc[NV];
  for (int v = 0; v < NV; ++v) {
    const std::int64_t lanes = std::min<std::int64_t>(kLanes, count - v * kLanes);
    acc[v] = p.bias != nullptr && lanes > 0 ? Isa::load(p.bias + c0 + v * kLanes, lanes)
                                            : Isa::zero();
  }
  for (std::int64_t kh = th.begin; kh < th.end; ++kh) {
    const std::int64_t ih = g.height.tap(oh, kh);
    for (std::int64_t kw = tw.begin; kw < tw.end; ++kw) {
      const float* x = p.input + ((n * g.height.input_size() + ih) * in_w + g.width.tap(ow, kw)) *
                                     c_all + c0;
      const float* w = p.filter + (kh * kw_size + kw) * c_all + c0;
      for (int v = 0; v < NV; ++v) {
        const std::int64_t lanes = std::min<std::int64_t>(kLanes, count - v * kLanes);
        if (lanes <= 0) break;
        acc[v] = Isa::fmadd(Isa::load(x + v * kLanes, lanes), Isa::load(w + v * kLanes, lanes),
                            acc[v]);
      }
    }
  }
  float* out = p.output + ((n * g.height.output_size() + oh) * g.width.output_size() + ow) * c_all + c0;
  for (int v = 0; v < NV; ++v) {
    const std::int64_t lanes = std::min<std::int64_t>(kLanes, count - v * kLanes);
    if (lanes <= 0) break;
    Isa::store(out + v * kLanes, p.activation == Activation::kRelu ? Isa::relu(acc[v]) : acc[v],
               lanes);
  }
}

void run(const DepthwiseProblem& p) {
  const Conv2DGeometry& g = p.geometry;
  constexpr int kBlock = 4;
  const std::int64_t c_all = g.in_channels, out_h = g.height.output_size();
  const std::int64_t rows = g.batch * out_h;
  const bool threaded = g.macs() >= kDepthwiseParallelMacs;
#pragma omp parallel for schedule(static) if (threaded)
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int64_t n = r / out_h, oh = r % out_h;
    const TapRange th = g.height.valid_taps(oh);
    for (std::int64_t ow = 0; ow < g.width.output_size(); ++ow) {
      const TapRange tw = g.width.valid_taps(ow);
      for (std::int64_t c0 = 0; c0 < c_all; c0 += kBlock * kLanes) {
        pixel<kBlock>(p, n, oh, ow, th, tw, c0, std::min(c_all - c0, kBlock * kLanes));
      }
    }
  }
}

}  // namespace STRIDER_ISA_NAMESPACE
}  // namespace strider::kernels
