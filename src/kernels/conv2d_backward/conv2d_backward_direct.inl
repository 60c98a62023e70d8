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
// reads (stride > kernel) get zeros. A column's pixels that are runs of one along their rows (the
// first column of a stride-2 layer) are tiled down the column instead, the same way.
// This file has no include guard on purpose: each ISA translation unit includes it once.

namespace strider::kernels {
namespace STRIDER_ISA_NAMESPACE {

using V = Isa::V;
constexpr std::int64_t kLanes = Isa::kLanes;

// Pixels i0, i0 + stride, ... (count of them) along one axis, read by the same taps: pixel m by
// (output[t] + m, tap[t]) for t in [tap_begin, tap_end) of Runs::output / Runs::tap.
struct Run {
  std::int64_t iw0, count, tap_begin, tap_end;
};

struct Runs {
  std::vector<Run> runs;  // every input position of the axis in exactly one run
  std::vector<std::int64_t> output, tap;
  // Input positions from one pixel of a run to the next: the stride where a run can have two
  // pixels (stride < size), else 0, so that a stride beyond the input never enters a product.
  std::int64_t step = 0;
};

// The runs of one axis from its readers (geometry's taps inverted): position i continues the run
// that ends at i - stride when its taps are that position's, one output further on.
Runs runs_of(const Readers& readers, std::int64_t size, std::int64_t stride) {
  Runs r;
  r.step = stride < size ? stride : 0;
  const auto begin = [&](std::int64_t i) {
    return static_cast<std::size_t>(readers.start[static_cast<std::size_t>(i)]);
  };
  const auto continues = [&](std::int64_t prev, std::int64_t i) {
    if (begin(i + 1) - begin(i) != begin(prev + 1) - begin(prev)) return false;
    for (std::size_t a = begin(i), b = begin(prev); a < begin(i + 1); ++a, ++b) {
      if (readers.tap[a] != readers.tap[b] || readers.output[a] != readers.output[b] + 1) {
        return false;
      }
    }
    return true;
  };
  // With stride >= size every position is a phase of its own (and i + stride never formed).
  const std::int64_t phases = r.step == 0 ? size : r.step;
  for (std::int64_t phase = 0; phase < phases; ++phase) {
    for (std::int64_t i = phase; i < size; i += phases) {
      if (r.step != 0 && i >= r.step && !r.runs.empty() && continues(i - r.step, i) &&
          r.runs.back().iw0 + r.runs.back().count * r.step == i) {
        ++r.runs.back().count;
        continue;
      }
      const auto t0 = static_cast<std::int64_t>(r.output.size());
      for (std::size_t a = begin(i); a < begin(i + 1); ++a) {
        r.output.push_back(readers.output[a]);
        r.tap.push_back(readers.tap[a]);
      }
      r.runs.push_back({i, 1, t0, static_cast<std::int64_t>(r.output.size())});
    }
  }
  return r;
}

struct Plan {
  Readers rows, cols;  // each input row's and column's readers
  Runs width, height;  // the pixels of a row, and of a column, in runs
};

Plan plan_of(const Conv2DGeometry& g) {
  Plan plan{readers_of(g.height), readers_of(g.width), {}, {}};
  plan.width = runs_of(plan.cols, g.width.input_size(), g.width.stride());
  plan.height = runs_of(plan.rows, g.height.input_size(), g.height.stride());
  return plan;
}

// Taps (output[i], tap[i]) for i < count along one axis.
struct Taps {
  const std::int64_t* output;
  const std::int64_t* tap;
  std::int64_t count;
};

Taps taps_at(const Readers& r, std::int64_t i) {
  const auto a = static_cast<std::size_t>(r.start[static_cast<std::size_t>(i)]);
  return {r.output.data() + a, r.tap.data() + a,
          r.start[static_cast<std::size_t>(i + 1)] - static_cast<std::int64_t>(a)};
}

Taps taps_of(const Runs& r, const Run& run) {
  return {r.output.data() + run.tap_begin, r.tap.data() + run.tap_begin,
          run.tap_end - run.tap_begin};
}

// What a tile reads: the packed filter and dy of one image.
struct Tile {
  const float* dy_image;  // + group * fg
  const float* w;         // the group's packed filter + c0
  std::int64_t f_all, fg, out_w, kw_size, cgp;
};

// MR pixels x NV vectors of channels: pixel m's sums over the height taps `rows` and width taps
// `cols` of dy at dy0 + m * dy_step (+ the taps' output offsets) stored to dx + m * dx_step, with
// the last `lanes` channels of the tile (lanes <= NV * kLanes). The pixels are a run along a row
// (dy_step one output column) or, for a column's lone pixels, along a column (dy_step one output
// row). With a folded ReLU, y is the ReLU's output at dx (same layout) and the sums are stored
// masked by it: a separate pass read y and read and wrote dx again (4% of a training step).
template <int MR, int NV>
void gather_tile(const Tile& t, Taps rows, Taps cols, const float* dy0, std::int64_t dy_step,
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
    const float* dy_row = dy0 + rows.output[a] * t.out_w * t.f_all;
    const float* w_row = t.w + rows.tap[a] * t.kw_size * t.fg * t.cgp;
    for (std::int64_t j = 0; j < cols.count; ++j) {
      const float* dy = dy_row + cols.output[j] * t.f_all;
      const float* w = w_row + cols.tap[j] * t.fg * t.cgp;
      for (std::int64_t f = 0; f < t.fg; ++f) {
        V wv[NV];
        _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) wv[v] =
            Isa::load(w + f * t.cgp + v * kLanes);
        _Pragma("GCC unroll 32") for (int m = 0; m < MR; ++m) {
          const V s = Isa::broadcast(dy + m * dy_step + f);
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
  const MemoryReservation scratch(
      g.groups * kh_size * kw_size * fg * cgp * static_cast<std::int64_t>(sizeof(float)),
      "conv2d_backward_input: the packed filter");
  // [group][kh][kw][f][cgp], zero past cg; packed by the threads (pack_tap), a row of cgp
  // floats at a time. One thread storing a column at a time, every store to another cache line,
  // was 1.5% of the main thread's training step with the other core waiting.
  const std::int64_t taps = kh_size * kw_size;
  const AlignedFloats wt = aligned_floats_for_overwrite(g.groups * taps * fg * cgp);
  const auto pack_tap = [&](std::int64_t item) {
    const std::int64_t group = item / taps, tap = item % taps;
    const float* src = p.filter + tap * cg * f_all + group * fg;
    float* dst = wt.get() + item * fg * cgp;
    for (std::int64_t f = 0; f < fg; ++f, dst += cgp) {
      for (std::int64_t c = 0; c < cg; ++c) dst[c] = src[c * f_all + f];
      std::fill(dst + cg, dst + cgp, 0.0f);
    }
  };
  const Plan plan = plan_of(g);
  const std::int64_t dy_image = out_h * out_w * f_all;
  // Each tile column (group, c0) of image n: fn(tile, channel offset, lanes).
  const auto for_each_channel_tile = [&](std::int64_t n, const auto& fn) {
    for (std::int64_t group = 0; group < g.groups; ++group) {
      for (std::int64_t c0 = 0; c0 < cg; c0 += block) {
        const Tile t{p.grad_output + n * dy_image + group * fg,
                     wt.get() + group * kh_size * kw_size * fg * cgp + c0,
                     f_all,
                     fg,
                     out_w,
                     kw_size,
                     cgp};
        fn(t, group * cg + c0, std::min(block, cg - c0));
      }
    }
  };
  // The `count` pixels of a run, in tiles of equal size: a run of 14 pixels is two tiles of 7,
  // where 12 + 2 left a tile of two short FMA chains waiting on their latency.
  const auto run_tiles = [&](const Tile& t, Taps rows, Taps cols, std::int64_t count,
                             std::int64_t dy_step, std::int64_t at, std::int64_t dx_step,
                             std::int64_t lanes) {
    const std::int64_t tiles = (count + MR - 1) / MR;
    for (std::int64_t i = 0; i < tiles; ++i) {
      const std::int64_t m = count * i / tiles, size = count * (i + 1) / tiles - m;
      const std::int64_t pixel = at + m * dx_step;
      kTiles[static_cast<std::size_t>(size - 1)](
          t, rows, cols, t.dy_image + m * dy_step, dy_step, p.grad_input + pixel,
          p.relu != nullptr ? p.relu->relu_output + pixel : nullptr, dx_step, lanes);
    }
  };
  // Row ih of image n, its runs of pixels a stride apart; without the runs of one pixel when
  // `lone_by_column` (one_column takes them).
  const auto one_row = [&](std::int64_t n, std::int64_t ih, bool lone_by_column) {
    const Taps rows = taps_at(plan.rows, ih);
    for_each_channel_tile(n, [&](const Tile& t, std::int64_t channel, std::int64_t lanes) {
      for (const Run& run : plan.width.runs) {
        if (lone_by_column && run.count == 1) continue;
        run_tiles(t, rows, taps_of(plan.width, run), run.count, f_all,
                  ((n * in_h + ih) * in_w + run.iw0) * c_all + channel, plan.width.step * c_all,
                  lanes);
      }
    });
  };
  // A pixel column whose row runs are single pixels (the first column of a stride-2 layer, read
  // by fewer taps than its even neighbours) in runs down the column: tiles of one pixel were
  // load-bound (a filter vector per FMA) and took 8% of the CNN's input gradients.
  const auto one_column = [&](std::int64_t n, const Run& lone) {
    const Taps cols = taps_of(plan.width, lone);
    for_each_channel_tile(n, [&](const Tile& t, std::int64_t channel, std::int64_t lanes) {
      for (const Run& run : plan.height.runs) {
        run_tiles(t, taps_of(plan.height, run), cols, run.count, out_w * f_all,
                  ((n * in_h + run.iw0) * in_w + lone.iw0) * c_all + channel,
                  plan.height.step * in_w * c_all, lanes);
      }
    });
  };
  const int teams = teams_for(g);
  // Whole images per item when there are enough of them, so a folded ReLU (p.relu) runs on each
  // image while it is in cache; else rows, and the fold after.
  const bool by_image = g.batch >= 2 * teams;
  const std::int64_t items = by_image ? g.batch : g.batch * in_h;
#pragma omp parallel num_threads(teams) if (teams > 1)
  {
#pragma omp for schedule(static)
    for (std::int64_t item = 0; item < g.groups * taps; ++item) pack_tap(item);
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t item = 0; item < items; ++item) {
      if (by_image) {
        for (std::int64_t ih = 0; ih < in_h; ++ih) one_row(item, ih, true);
        for (const Run& run : plan.width.runs) {
          if (run.count == 1) one_column(item, run);
        }
        if (p.relu != nullptr) fold_relu_sums(p, item, 1);
      } else {
        one_row(item / in_h, item % in_h, false);
      }
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
