// The direct pooling kernel, written once over an ISA's vector traits `Isa` and included by
// pool2d_direct_<isa>.cpp inside that ISA's region. Channels are the lanes; each output pixel
// reduces its taps (geometry's valid_taps, so padding never takes part) over blocks of 4 vectors.
// The average divides by the count of real taps, as TensorFlow's AvgPool does. NaN propagates
// through max like TensorFlow's: max(a, NaN) is NaN whichever side it is on.
// This file has no include guard on purpose.

namespace strider::kernels {
namespace STRIDER_ISA_NAMESPACE {

using V = Isa::V;
constexpr std::int64_t kLanes = Isa::kLanes;
constexpr int kBlock = 4;

void run(const Pool2DProblem& p) {
  const Pool2DGeometry& g = p.geometry;
  const std::int64_t c_all = g.channels, in_h = g.height.input_size(), in_w = g.width.input_size();
  const std::int64_t out_h = g.height.output_size(), out_w = g.width.output_size();
  const bool is_max = p.op == PoolOp::kMax;
  const std::int64_t rows = g.batch * out_h;
  const bool threaded = g.ops() >= kDepthwiseParallelMacs;
  parallel_for(rows, threaded, [&](std::int64_t r) {
    const std::int64_t n = r / out_h, oh = r % out_h;
    const TapRange th = g.height.valid_taps(oh);
    for (std::int64_t ow = 0; ow < out_w; ++ow) {
      const TapRange tw = g.width.valid_taps(ow);
      const V scale = Isa::broadcast_value(1.0f / static_cast<float>(th.size() * tw.size()));
      float* out = p.output + ((n * out_h + oh) * out_w + ow) * c_all;
      for (std::int64_t c0 = 0; c0 < c_all; c0 += kBlock * kLanes) {
        V acc[kBlock];
        std::int64_t lanes[kBlock];
        for (int v = 0; v < kBlock; ++v) {
          lanes[v] = std::clamp<std::int64_t>(c_all - c0 - v * kLanes, 0, kLanes);
          acc[v] =
              is_max ? Isa::broadcast_value(-std::numeric_limits<float>::infinity()) : Isa::zero();
        }
        for (std::int64_t kh = th.begin; kh < th.end; ++kh) {
          const float* x_row = p.input + (n * in_h + g.height.tap(oh, kh)) * in_w * c_all + c0;
          for (std::int64_t kw = tw.begin; kw < tw.end; ++kw) {
            const float* x = x_row + g.width.tap(ow, kw) * c_all;
            for (int v = 0; v < kBlock && lanes[v] > 0; ++v) {
              const V value = Isa::load(x + v * kLanes, lanes[v]);
              acc[v] = is_max ? Isa::max_nan(acc[v], value) : Isa::add(acc[v], value);
            }
          }
        }
        for (int v = 0; v < kBlock && lanes[v] > 0; ++v) {
          Isa::store(out + c0 + v * kLanes, is_max ? acc[v] : Isa::mul(acc[v], scale), lanes[v]);
        }
      }
    }
  });
}

}  // namespace STRIDER_ISA_NAMESPACE
}  // namespace strider::kernels
