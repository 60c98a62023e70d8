// The direct Conv2D input gradient, written once over an ISA's vector traits and compiled per ISA:
// a gather over the windows that read each input pixel (Readers: geometry's taps inverted),
//   dx[n, ih, iw, c] = sum over readers (oh, kh) of ih, (ow, kw) of iw, and f of
//                      dy[n, oh, ow, f] * w[kh, kw, c, f]
// with channels of a group as the vector lanes (the filter repacked once per call as
// [group][kh][kw][f][channels padded to whole tiles]). Pixels of a row that are a stride apart
// and read by the same taps with outputs one apart (a "run": for stride 2, the even and the odd
// pixels away from the borders) share each filter vector over MR broadcast values of dy, which are
// neighbours in memory. Each dx element is written once, by one thread, in a fixed order: no zero
// fill, no column matrix, no scatter, and the same bits for any thread count. Pixels no window
// reads (stride > kernel) get zeros.
// This file has no include guard on purpose: each ISA translation unit includes it once.

namespace strider::kernels {
namespace STRIDER_ISA_NAMESPACE {

using V = Isa::V;
constexpr std::int64_t kLanes = Isa::kLanes;

// Pixels iw0, iw0 + stride, ... (count of them) of a row, read by the same width taps: pixel m
// by (ow[t] + m, kw[t]) for t in [tap_begin, tap_end) of Plan::ow / Plan::kw.
struct Run {
  std::int64_t iw0, count, tap_begin, tap_end;
};

struct Plan {
  Readers rows;           // the height axis
  std::vector<Run> runs;  // every pixel of a row in exactly one run
  std::vector<std::int64_t> ow, kw;
};

Plan plan_of(const Conv2DGeometry& g) {
  Plan plan{readers_of(g.height), {}, {}, {}};
  const Readers cols = readers_of(g.width);
  const std::int64_t in_w = g.width.input_size(), stride = g.width.stride();
  const auto begin = [&](std::int64_t iw) {
    return static_cast<std::size_t>(cols.start[static_cast<std::size_t>(iw)]);
  };
  // Pixel iw continues the run that ends at iw - stride when its taps are that pixel's, one
  // output further on.
  const auto continues = [&](std::int64_t prev, std::int64_t iw) {
    if (begin(iw + 1) - begin(iw) != begin(prev + 1) - begin(prev)) return false;
    for (std::size_t a = begin(iw), b = begin(prev); a < begin(iw + 1); ++a, ++b) {
      if (cols.tap[a] != cols.tap[b] || cols.output[a] != cols.output[b] + 1) return false;
    }
    return true;
  };
  for (std::int64_t r = 0; r < std::min(stride, in_w); ++r) {
    for (std::int64_t iw = r; iw < in_w; iw += stride) {
      if (iw >= stride && !plan.runs.empty() && continues(iw - stride, iw) &&
          plan.runs.back().iw0 + plan.runs.back().count * stride == iw) {
        ++plan.runs.back().count;
        continue;
      }
      const auto t0 = static_cast<std::int64_t>(plan.ow.size());
      for (std::size_t a = begin(iw); a < begin(iw + 1); ++a) {
        plan.ow.push_back(cols.output[a]);
        plan.kw.push_back(cols.tap[a]);
      }
      plan.runs.push_back({iw, 1, t0, static_cast<std::int64_t>(plan.ow.size())});
    }
  }
  return plan;
}

// What a tile reads: one input row's height readers, the packed filter and dy of one image.
struct Rows {
  const std::int64_t* oh;
  const std::int64_t* kh;
  std::int64_t count;
};

struct Tile {
  const float* dy_image;  // + group * fg
  const float* w;         // the group's packed filter + c0
  std::int64_t f_all, fg, out_w, kw_size, cgp;
};

// MR pixels (m = 0..MR-1 of run `run` from its pixel m0) x NV vectors of channels, stored to
// dx + m * dx_step with the last `lanes` channels of the tile (lanes <= NV * kLanes). With a
// folded ReLU, y is the ReLU's output at dx (same layout) and the sums are stored masked by it:
// a separate pass read y and read and wrote dx again (4% of a training step).
template <int MR, int NV>
void gather_tile(const Tile& t, const Rows& rows, const Plan& plan, const Run& run, std::int64_t m0,
                 float* dx, const float* y, std::int64_t dx_step, std::int64_t lanes) {
  V acc[MR][NV];
  _Pragma("GCC unroll 32") for (int m = 0; m < MR; ++m) {
    _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) acc[m][v] = Isa::zero();
  }
  // The ReLU output is read once, at the end: asked for now, it arrives while the sums run
  // (strider_conv2d_backward_bench '28x28x32 -> 64 3x3 s2', one thread: the fold added 0.4 ms
  // to 3.6 with the prefetch, 0.9 without; medians of 5 alternating runs).
  if (y != nullptr) {
    _Pragma("GCC unroll 32") for (int m = 0; m < MR; ++m) {
      _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) {
        if (v * kLanes < lanes) __builtin_prefetch(y + m * dx_step + v * kLanes);
      }
    }
  }
  for (std::int64_t a = 0; a < rows.count; ++a) {
    const float* dy_row = t.dy_image + rows.oh[a] * t.out_w * t.f_all;
    const float* w_row = t.w + rows.kh[a] * t.kw_size * t.fg * t.cgp;
    for (std::int64_t j = run.tap_begin; j < run.tap_end; ++j) {
      const float* dy = dy_row + (plan.ow[static_cast<std::size_t>(j)] + m0) * t.f_all;
      const float* w = w_row + plan.kw[static_cast<std::size_t>(j)] * t.fg * t.cgp;
      for (std::int64_t f = 0; f < t.fg; ++f) {
        V wv[NV];
        _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) wv[v] =
            Isa::load(w + f * t.cgp + v * kLanes);
        _Pragma("GCC unroll 32") for (int m = 0; m < MR; ++m) {
          const V s = Isa::broadcast(dy + m * t.f_all + f);
          _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) acc[m][v] =
              Isa::fmadd(s, wv[v], acc[m][v]);
        }
      }
    }
  }
  _Pragma("GCC unroll 32") for (int m = 0; m < MR; ++m) {
    _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) {
      const std::int64_t n = std::min<std::int64_t>(kLanes, lanes - v * kLanes);
      if (n <= 0) continue;
      const std::int64_t at = m * dx_step + v * kLanes;
      Isa::store(dx + at,
                 y != nullptr ? Isa::where_positive(Isa::load(y + at, n), acc[m][v]) : acc[m][v],
                 n);
    }
  }
}

// gather_tile<1..MR, NV>, indexed by the pixel count less one.
template <int NV, int... R>
constexpr auto tile_table(std::integer_sequence<int, R...>) {
  return std::array{&gather_tile<R + 1, NV>...};
}

template <int MR, int NV>
void input_gather(const Conv2DBackwardInputProblem& p) {
  static constexpr auto kTiles = tile_table<NV>(std::make_integer_sequence<int, MR>{});
  const Conv2DGeometry& g = p.geometry;
  const std::int64_t in_h = g.height.input_size(), in_w = g.width.input_size();
  const std::int64_t out_h = g.height.output_size(), out_w = g.width.output_size();
  const std::int64_t kh_size = g.height.kernel_size(), kw_size = g.width.kernel_size();
  const std::int64_t c_all = g.in_channels, cg = g.in_channels_per_group();
  const std::int64_t f_all = g.out_channels, fg = g.out_channels_per_group();
  const std::int64_t block = NV * kLanes, cgp = round_up(cg, block);
  const std::int64_t stride_w = g.width.stride();
  const MemoryReservation scratch(
      g.groups * kh_size * kw_size * fg * cgp * static_cast<std::int64_t>(sizeof(float)),
      "conv2d_backward_input: the packed filter");
  // [group][kh][kw][f][cgp], zero past cg.
  const AlignedFloats wt = aligned_floats(g.groups * kh_size * kw_size * fg * cgp);
  for (std::int64_t group = 0; group < g.groups; ++group) {
    for (std::int64_t tap = 0; tap < kh_size * kw_size; ++tap) {
      for (std::int64_t c = 0; c < cg; ++c) {
        const float* src = p.filter + (tap * cg + c) * f_all + group * fg;
        float* dst = wt.get() + ((group * kh_size * kw_size + tap) * fg) * cgp + c;
        for (std::int64_t f = 0; f < fg; ++f) dst[f * cgp] = src[f];
      }
    }
  }
  const Plan plan = plan_of(g);
  const auto one_row = [&](std::int64_t n, std::int64_t ih) {
    const auto h0 = static_cast<std::size_t>(plan.rows.start[static_cast<std::size_t>(ih)]);
    const Rows rows{
        plan.rows.output.data() + h0, plan.rows.tap.data() + h0,
        plan.rows.start[static_cast<std::size_t>(ih + 1)] - static_cast<std::int64_t>(h0)};
    float* dx_row = p.grad_input + (n * in_h + ih) * in_w * c_all;
    const float* y_row =
        p.relu != nullptr ? p.relu->relu_output + (n * in_h + ih) * in_w * c_all : nullptr;
    for (std::int64_t group = 0; group < g.groups; ++group) {
      for (std::int64_t c0 = 0; c0 < cg; c0 += block) {
        const Tile t{p.grad_output + n * out_h * out_w * f_all + group * fg,
                     wt.get() + group * kh_size * kw_size * fg * cgp + c0,
                     f_all,
                     fg,
                     out_w,
                     kw_size,
                     cgp};
        const std::int64_t lanes = std::min(block, cg - c0);
        for (const Run& run : plan.runs) {
          const std::int64_t at = run.iw0 * c_all + group * cg + c0;
          float* dx = dx_row + at;
          const float* y = y_row != nullptr ? y_row + at : nullptr;
          const std::int64_t step = stride_w * c_all;
          // Tiles of equal size: a run of 14 pixels is two tiles of 7, where 12 + 2 left a tile
          // of two short FMA chains waiting on their latency.
          const std::int64_t tiles = (run.count + MR - 1) / MR;
          for (std::int64_t i = 0; i < tiles; ++i) {
            const std::int64_t m = run.count * i / tiles, size = run.count * (i + 1) / tiles - m;
            kTiles[static_cast<std::size_t>(size - 1)](t, rows, plan, run, m, dx + m * step,
                                                       y != nullptr ? y + m * step : nullptr, step,
                                                       lanes);
          }
        }
      }
    }
  };
  const int teams = teams_for(g);
  // Whole images per item when there are enough of them, so a folded ReLU (p.relu) runs on each
  // image while it is in cache; else rows, and the fold after.
  const bool by_image = g.batch >= 2 * teams;
  const std::int64_t items = by_image ? g.batch : g.batch * in_h;
#pragma omp parallel for schedule(dynamic, 1) num_threads(teams) if (teams > 1)
  for (std::int64_t item = 0; item < items; ++item) {
    if (by_image) {
      for (std::int64_t ih = 0; ih < in_h; ++ih) one_row(item, ih);
      if (p.relu != nullptr) fold_relu_sums(p, item, 1);
    } else {
      one_row(item / in_h, item % in_h);
    }
  }
  if (!by_image && p.relu != nullptr) fold_relu_all(p, /*masked=*/true);
}

}  // namespace STRIDER_ISA_NAMESPACE

void STRIDER_ISA_FUNCTION(input)(const Conv2DBackwardInputProblem& p) {
  using namespace STRIDER_ISA_NAMESPACE;
  constexpr int kAcc = static_cast<int>(Isa::kAccumulators);
  switch (vectors_for<Isa>(p.geometry.in_channels_per_group())) {
    case 1:
      return input_gather<kAcc, 1>(p);
    case 2:
      return input_gather<kAcc / 2, 2>(p);
    case 3:
      return input_gather<kAcc / 3, 3>(p);
    default:
      return input_gather<kAcc / 4, 4>(p);
  }
}

}  // namespace strider::kernels
