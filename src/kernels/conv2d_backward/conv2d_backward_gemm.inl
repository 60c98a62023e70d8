// The column-matrix Conv2D backward kernels, written once over an ISA's vector traits and
// compiled per ISA. Both gradients are matrix products over the forward's windows, per group:
//   filter:  dW[k, f]   = sum over rows p of cols[p, k] * dy[p, f]
//   input:   dcols[p, k] = sum over f of dy[p, f] * W[k, f], then dx += scatter(dcols)
// with p = (n, oh, ow) an output position and k = (kh, kw, c) a tap; cols (im2col) and the
// scatter (col2im) walk geometry's valid taps, padding taps being zero columns. The products run
// in register tiles of MR broadcast values x NV vectors, the taps k being the vectors in both
// (zero-padded to whole vectors, so tiles need no lane masks; the filter gradient's last output
// channels take a tile of fewer broadcast rows). Threads split the images (input gradient) or
// the output positions (filter gradient, partial sums added in block order). For a few input
// channels the filter gradient reads the column matrix in place from padded input rows instead
// (filter_gradient_rows).
// Scratch buffers start on cache lines (kernels/aligned.hpp); those written before they are read
// are not zeroed: a zeroed vector per call cost a pass over megabytes of partial sums.
// This file has no include guard on purpose: each ISA translation unit includes it once.

namespace strider::kernels {
namespace STRIDER_ISA_NAMESPACE {

using V = Isa::V;
constexpr std::int64_t kLanes = Isa::kLanes;
// About this many floats of column matrix per step: it stays in L2 while the tiles read it.
constexpr std::int64_t kChunkFloats = std::int64_t{1} << 16;

// c[m * c_step + v * lanes ...] (+)= sum over i < length of a[i * a_step + m] * b[i * b_step + ...]
template <int MR, int NV, bool kAccumulate>
void outer_tile(const float* a, std::int64_t a_step, const float* b, std::int64_t b_step,
                std::int64_t length, float* c, std::int64_t c_step) {
  V acc[MR][NV];
  _Pragma("GCC unroll 32") for (int m = 0; m < MR; ++m) {
    _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) {
      acc[m][v] = kAccumulate ? Isa::load(c + m * c_step + v * kLanes) : Isa::zero();
    }
  }
  for (std::int64_t i = 0; i < length; ++i) {
    V bv[NV];
    _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) bv[v] =
        Isa::load(b + i * b_step + v * kLanes);
    _Pragma("GCC unroll 32") for (int m = 0; m < MR; ++m) {
      const V s = Isa::broadcast(a + i * a_step + m);
      _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) acc[m][v] =
          Isa::fmadd(s, bv[v], acc[m][v]);
    }
  }
  _Pragma("GCC unroll 32") for (int m = 0; m < MR; ++m) {
    _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) {
      Isa::store(c + m * c_step + v * kLanes, acc[m][v], kLanes);
    }
  }
}

struct Dims {
  const Conv2DGeometry* g;
  std::int64_t in_h, in_w, c_all, out_h, out_w, f_all, kw_size, cg, fg, k;
  // Each output row's and column's valid taps, worked out once per call: asked per row of the
  // column matrix and per pixel of the scatter, Window::valid_taps's two divisions were 1.6% of a
  // training step.
  std::vector<TapRange> row_taps, col_taps;
};

std::vector<TapRange> valid_taps_of(const Window& w) {
  std::vector<TapRange> taps(static_cast<std::size_t>(w.output_size()));
  for (std::int64_t o = 0; o < w.output_size(); ++o) {
    taps[static_cast<std::size_t>(o)] = w.valid_taps(o);
  }
  return taps;
}

Dims dims_of(const Conv2DGeometry& g) {
  return {&g,
          g.height.input_size(),
          g.width.input_size(),
          g.in_channels,
          g.height.output_size(),
          g.width.output_size(),
          g.out_channels,
          g.width.kernel_size(),
          g.in_channels_per_group(),
          g.out_channels_per_group(),
          g.height.kernel_size() * g.width.kernel_size() * g.in_channels_per_group(),
          valid_taps_of(g.height),
          valid_taps_of(g.width)};
}

// Row p of the column matrix for group `group`: the taps of window p, zero in the padding.
void gather_row(const Dims& d, const float* input, std::int64_t p, std::int64_t group, float* row,
                std::int64_t row_size) {
  const std::int64_t n = p / (d.out_h * d.out_w), oh = p / d.out_w % d.out_h, ow = p % d.out_w;
  const Window& wh = d.g->height;
  const Window& ww = d.g->width;
  const TapRange th = d.row_taps[static_cast<std::size_t>(oh)];
  const TapRange tw = d.col_taps[static_cast<std::size_t>(ow)];
  // Zeros where taps fall into the padding and past the last tap; an interior window's taps
  // overwrite everything else (the fill was a tenth of the filter gradient's time).
  const bool interior = th.size() == wh.kernel_size() && tw.size() == d.kw_size;
  std::fill(row + (interior ? d.k : 0), row + row_size, 0.0f);
  // Whole vectors are copied inline: a tap of 32 or 64 floats through memcpy was a call and
  // its size checks per tap, 4% of a training step.
  const bool vectors = d.cg % kLanes == 0;
  for (std::int64_t kh = th.begin; kh < th.end; ++kh) {
    const float* x = input + ((n * d.in_h + wh.tap(oh, kh)) * d.in_w) * d.c_all + group * d.cg;
    for (std::int64_t kw = tw.begin; kw < tw.end; ++kw) {
      const float* src = x + ww.tap(ow, kw) * d.c_all;
      float* dst = row + (kh * d.kw_size + kw) * d.cg;
      if (vectors) {
        for (std::int64_t c = 0; c < d.cg; c += kLanes) {
          Isa::store(dst + c, Isa::load(src + c), kLanes);
        }
      } else {
        std::copy_n(src, d.cg, dst);
      }
    }
  }
}

// out[f] = the sum over i < count, in i order, of parts[i * step + f], for f < n. The partial
// sums of a filter gradient, added four vectors at a time: one float at a time, each sum a chain
// of dependent adds over cache lines 70 KiB apart, was a tenth of the Fashion-MNIST CNN's filter
// gradients. Each lane adds in the same order as the plain loop, so the bits are the same.
inline void sum_partials(const float* parts, std::int64_t count, std::int64_t step, std::int64_t n,
                         float* out) {
  constexpr std::int64_t kUnroll = 4;
  std::int64_t f = 0;
  for (; f + kUnroll * kLanes <= n; f += kUnroll * kLanes) {
    V sum[kUnroll];
    for (auto& v : sum) v = Isa::zero();
    for (std::int64_t i = 0; i < count; ++i) {
      _Pragma("GCC unroll 4") for (int u = 0; u < kUnroll; ++u) sum[u] =
          Isa::add(sum[u], Isa::load(parts + i * step + f + u * kLanes));
    }
    _Pragma("GCC unroll 4") for (int u = 0; u < kUnroll; ++u) {
      Isa::store(out + f + u * kLanes, sum[u], kLanes);
    }
  }
  for (; f + kLanes <= n; f += kLanes) {
    V sum = Isa::zero();
    for (std::int64_t i = 0; i < count; ++i) sum = Isa::add(sum, Isa::load(parts + i * step + f));
    Isa::store(out + f, sum, kLanes);
  }
  for (; f < n; ++f) {
    float sum = 0.0f;
    for (std::int64_t i = 0; i < count; ++i) sum += parts[i * step + f];
    out[f] = sum;
  }
}

// outer_tile for the first `mr` (1..MR) broadcast rows: the last rows of a tile column.
template <int MR, int NV, bool kAccumulate>
void outer_tile_upto(int mr, const float* a, std::int64_t a_step, const float* b,
                     std::int64_t b_step, std::int64_t length, float* c, std::int64_t c_step) {
  if constexpr (MR > 1) {
    if (mr < MR) {
      return outer_tile_upto<MR - 1, NV, kAccumulate>(mr, a, a_step, b, b_step, length, c, c_step);
    }
  }
  outer_tile<MR, NV, kAccumulate>(a, a_step, b, b_step, length, c, c_step);
}

// One parallel region per call: on a loaded machine every region's barrier can cost a scheduler
// time slice, which made a region per step of the column matrix hundreds of times slower with 2
// threads. The rows are cut into a number of blocks that depends on the shape only, each summed
// into its own partial dW by whichever thread takes it next (on a shared machine one core often
// runs slower than the other: a fixed half each left the faster thread waiting for a tenth of a
// training step); the partials are then added in block order, so the bits do not depend on the
// thread count.
//
// The tiles compute dW transposed, dW^T[f, k] = sum over rows p of dy[p, f] * cols[p, k]: the
// taps are the vector lanes (NV vectors of them) and MR output channels are broadcast. So the
// column matrix is used as gather_row writes it, row by row, and the output gradient is read in
// place: no panels. With the taps as broadcasts, copying every row into MR-wide panels and the
// output gradient into fb-wide ones cost as much as the products on the CNN's 32 -> 64 layer.
// Each element still sums the same products in the same order (fma is symmetric in its
// factors), so the bits are those of the untransposed tiles.
template <int MR, int NV>
void filter_gradient(const Conv2DBackwardFilterProblem& p) {
  const Dims d = dims_of(p.geometry);
  const std::int64_t kb = NV * kLanes;
  const std::int64_t kp = round_up(d.k, kb);
  const std::int64_t rows_total = p.geometry.batch * d.out_h * d.out_w;
  const std::int64_t chunk = std::max<std::int64_t>(1, kChunkFloats / (kp + d.fg));
  const std::int64_t tiles_k = kp / kb;
  // Up to 16 blocks of at least two chunks each, and partials of at most 32 MiB in all.
  const std::int64_t blocks =
      std::clamp<std::int64_t>(std::min<std::int64_t>(16, rows_total / (2 * chunk)), 1,
                               std::max<std::int64_t>(1, (std::int64_t{8} << 20) / (kp * d.fg)));
  const int teams = teams_for(p.geometry);
  const MemoryReservation scratch(
      (teams * (chunk + 1) * kp + blocks * d.fg * kp) * static_cast<std::int64_t>(sizeof(float)),
      "conv2d_backward_filter: the column matrices");
  const AlignedFloats partials = aligned_floats_for_overwrite(blocks * d.fg * kp);
#pragma omp parallel num_threads(teams) if (teams > 1)
  {
    const AlignedFloats cols = aligned_floats_for_overwrite(chunk * kp);
    const AlignedFloats sums = aligned_floats_for_overwrite(kp);
    for (std::int64_t group = 0; group < p.geometry.groups; ++group) {
#pragma omp for schedule(dynamic, 1)
      for (std::int64_t block = 0; block < blocks; ++block) {
        float* dwt = partials.get() + block * d.fg * kp;
        const std::int64_t r_begin = rows_total * block / blocks;
        const std::int64_t r_end = rows_total * (block + 1) / blocks;
        if (r_begin == r_end) std::fill(dwt, dwt + d.fg * kp, 0.0f);
        for (std::int64_t r0 = r_begin; r0 < r_end; r0 += chunk) {
          const std::int64_t rows = std::min(chunk, r_end - r0);
          for (std::int64_t r = 0; r < rows; ++r) {
            gather_row(d, p.input, r0 + r, group, cols.get() + r * kp, kp);
          }
          const float* dy = p.grad_output + r0 * d.f_all + group * d.fg;
          // The block's first chunk writes its partial, the others add to it.
          const auto run =
              r0 == r_begin ? outer_tile_upto<MR, NV, false> : outer_tile_upto<MR, NV, true>;
          for (std::int64_t f0 = 0; f0 < d.fg; f0 += MR) {
            const int mr = static_cast<int>(std::min<std::int64_t>(MR, d.fg - f0));
            for (std::int64_t tk = 0; tk < tiles_k; ++tk) {
              run(mr, dy + f0, d.f_all, cols.get() + tk * kb, kp, rows, dwt + f0 * kp + tk * kb,
                  kp);
            }
          }
        }
      }
#pragma omp for schedule(static)
      for (std::int64_t f = 0; f < d.fg; ++f) {
        sum_partials(partials.get() + f * kp, blocks, d.fg * kp, d.k, sums.get());
        float* out = p.grad_filter + group * d.fg + f;
        for (std::int64_t k = 0; k < d.k; ++k) out[k * d.f_all] = sums[k];
      }
    }
  }
}

// outer_tile<MR, NV, true> with the broadcast operand read through one pointer per row: row m of
// step i is a[m][i * a_step]. The few-channel filter gradient reads its column matrix this way
// straight from padded input rows, without building it.
template <int MR, int NV>
void outer_tile_rows(const float* const* a, std::int64_t a_step, const float* b,
                     std::int64_t b_step, std::int64_t length, float* c, std::int64_t c_step) {
  V acc[MR][NV];
  const float* rows[MR];
  _Pragma("GCC unroll 32") for (int m = 0; m < MR; ++m) {
    rows[m] = a[m];
    _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) {
      acc[m][v] = Isa::load(c + m * c_step + v * kLanes);
    }
  }
  for (std::int64_t i = 0; i < length; ++i) {
    V bv[NV];
    _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) bv[v] =
        Isa::load(b + i * b_step + v * kLanes);
    const std::int64_t offset = i * a_step;
    _Pragma("GCC unroll 32") for (int m = 0; m < MR; ++m) {
      const V s = Isa::broadcast(rows[m] + offset);
      _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) acc[m][v] =
          Isa::fmadd(s, bv[v], acc[m][v]);
    }
  }
  _Pragma("GCC unroll 32") for (int m = 0; m < MR; ++m) {
    _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) {
      Isa::store(c + m * c_step + v * kLanes, acc[m][v], kLanes);
    }
  }
}

// The filter gradient for few input channels per group (a network's first layer: C = 1 or 3),
// where gather_row's per-tap copies of 1-3 floats cost more than the products: 64x28x28x1 -> 32
// 3x3 took 4.4 ms of CPU through the column matrix, 1.4 ms here (strider_conv2d_backward_bench,
// one thread, AVX2). Per output row (n, oh), each filter row kh reads one input
// row, copied once into a buffer with zeros where the windows reach into the padding; tap
// (kh, kw, c) of output ow is then that buffer at (tap(ow, kw) - tap(0, 0)) * cg + c, a fixed
// pointer per tap plus ow * stride * cg, so the column matrix is read in place by
// outer_tile_rows. Filter rows that fall into the padding read a zero row. Threads and partial
// sums as filter_gradient.
template <int MR, int NV>
void filter_gradient_rows(const Conv2DBackwardFilterProblem& p) {
  const Dims d = dims_of(p.geometry);
  const Window& wh = p.geometry.height;
  const Window& ww = p.geometry.width;
  const std::int64_t fb = NV * kLanes;
  const std::int64_t kp = round_up(d.k, MR), fp = round_up(d.fg, fb);
  const std::int64_t tiles_k = kp / MR, tiles_f = fp / fb;
  const std::int64_t kh_size = wh.kernel_size();
  const std::int64_t rows_total = p.geometry.batch * d.out_h;
  if (rows_total == 0 || d.out_w == 0) {
    std::fill(p.grad_filter, p.grad_filter + d.k * d.f_all, 0.0f);
    return;
  }
  // The input columns that output row's windows span, padding included: [first, last).
  const std::int64_t first = ww.tap(0, 0), last = ww.tap(d.out_w - 1, d.kw_size - 1) + 1;
  const std::int64_t inside_begin = std::max<std::int64_t>(first, 0);
  const std::int64_t inside_end = std::min(last, d.in_w);
  const std::int64_t padded = (last - first) * d.cg;
  const std::int64_t a_step = ww.stride() * d.cg;
  const int teams = teams_for(p.geometry);
  const MemoryReservation scratch(teams * ((kh_size + 1) * padded + d.out_w * fp + kp * fp) *
                                      static_cast<std::int64_t>(sizeof(float)),
                                  "conv2d_backward_filter: the padded input rows");
  const auto partials = aligned_floats_for_overwrite((teams * kp * fp));
#pragma omp parallel num_threads(teams) if (teams > 1)
  {
    const std::int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
    // kh_size padded rows and one zero row; only [inside_begin, inside_end) is ever rewritten.
    const AlignedFloats rows_buffer = aligned_floats((kh_size + 1) * padded);
    const float* zero_row = rows_buffer.get() + kh_size * padded;
    const AlignedFloats dy = aligned_floats(fp != d.fg ? d.out_w * fp : 0);
    std::vector<const float*> taps(static_cast<std::size_t>(kp), zero_row);
    float* dw = partials.get() + t * kp * fp;
    const std::int64_t r_begin = rows_total * t / nt, r_end = rows_total * (t + 1) / nt;
    for (std::int64_t group = 0; group < p.geometry.groups; ++group) {
      std::fill(dw, dw + kp * fp, 0.0f);
      for (std::int64_t r = r_begin; r < r_end; ++r) {
        const std::int64_t n = r / d.out_h, oh = r % d.out_h;
        const TapRange th = d.row_taps[static_cast<std::size_t>(oh)];
        for (std::int64_t kh = 0; kh < kh_size; ++kh) {
          const float* row = zero_row;
          if (kh >= th.begin && kh < th.end) {
            float* dst = rows_buffer.get() + kh * padded;
            const float* x =
                p.input + ((n * d.in_h + wh.tap(oh, kh)) * d.in_w) * d.c_all + group * d.cg;
            // Plain loops: a library copy per pixel of 1-4 floats cost a third of the kernel.
            for (std::int64_t iw = inside_begin; iw < inside_end; ++iw) {
              for (std::int64_t c = 0; c < d.cg; ++c) {
                dst[(iw - first) * d.cg + c] = x[iw * d.c_all + c];
              }
            }
            row = dst;
          }
          for (std::int64_t kw = 0; kw < d.kw_size; ++kw) {
            for (std::int64_t c = 0; c < d.cg; ++c) {
              taps[static_cast<std::size_t>((kh * d.kw_size + kw) * d.cg + c)] =
                  row + (ww.tap(0, kw) - first) * d.cg + c;
            }
          }
        }
        // grad_output's row is read in place when its filters fill whole tiles, else copied to
        // rows zero-padded to fp.
        const float* b = p.grad_output + r * d.out_w * d.f_all + group * d.fg;
        std::int64_t b_step = d.f_all;
        if (fp != d.fg) {
          for (std::int64_t ow = 0; ow < d.out_w; ++ow) {
            std::copy_n(b + ow * d.f_all, d.fg, dy.get() + ow * fp);
          }
          b = dy.get();
          b_step = fp;
        }
        for (std::int64_t tk = 0; tk < tiles_k; ++tk) {
          for (std::int64_t tf = 0; tf < tiles_f; ++tf) {
            outer_tile_rows<MR, NV>(taps.data() + tk * MR, a_step, b + tf * fb, b_step, d.out_w,
                                    dw + tk * MR * fp + tf * fb, fp);
          }
        }
      }
#pragma omp barrier
      for (std::int64_t k = d.k * t / nt; k < d.k * (t + 1) / nt; ++k) {
        sum_partials(partials.get() + k * fp, nt, kp * fp, d.fg,
                     p.grad_filter + k * d.f_all + group * d.fg);
      }
#pragma omp barrier
    }
  }
}

// Threads take chunks of images as they finish: each image's rows and scatter are one thread's,
// in a fixed order, so the bits do not depend on the thread count or on who took which chunk.
template <int MR, int NV>
void input_gradient(const Conv2DBackwardInputProblem& p) {
  const Dims d = dims_of(p.geometry);
  const Conv2DGeometry& g = p.geometry;
  const std::int64_t kb = NV * kLanes;
  const std::int64_t kp = round_up(d.k, kb);
  const std::int64_t per_image = d.out_h * d.out_w;
  const std::int64_t images =
      std::clamp<std::int64_t>(kChunkFloats / std::max<std::int64_t>(1, per_image * kp), 1,
                               std::max<std::int64_t>(1, g.batch));
  const std::int64_t chunk = round_up(images * per_image, MR);
  const std::int64_t tiles_k = kp / kb;
  const int teams = teams_for(g);
  const MemoryReservation scratch((teams * (chunk * kp + d.fg * chunk) + g.groups * d.fg * kp) *
                                      static_cast<std::int64_t>(sizeof(float)),
                                  "conv2d_backward_input: the column matrices");
  // W^T per group as panels of kb taps, [groups][tiles_k][fg][kb], zero past k: a tile reads
  // its panel in order.
  const AlignedFloats wt = aligned_floats(g.groups * d.fg * kp);
  for (std::int64_t group = 0; group < g.groups; ++group) {
    for (std::int64_t k = 0; k < d.k; ++k) {
      float* panel = wt.get() + (group * tiles_k + k / kb) * d.fg * kb + k % kb;
      for (std::int64_t f = 0; f < d.fg; ++f) {
        panel[f * kb] = p.filter[k * d.f_all + group * d.fg + f];
      }
    }
  }
  const Window& wh = g.height;
  const Window& ww = g.width;
  const std::int64_t image_size = d.in_h * d.in_w * d.c_all;
#pragma omp parallel num_threads(teams) if (teams > 1)
  {
    const auto dcols = aligned_floats_for_overwrite((chunk * kp));
    const auto dyt = aligned_floats_for_overwrite((d.fg * chunk));
    const std::int64_t chunks = (g.batch + images - 1) / images;
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t ci = 0; ci < chunks; ++ci) {
      const std::int64_t n0 = ci * images, count = std::min(images, g.batch - n0);
      std::fill(p.grad_input + n0 * image_size, p.grad_input + (n0 + count) * image_size, 0.0f);
      for (std::int64_t group = 0; group < g.groups; ++group) {
        const float* w_t = wt.get() + group * d.fg * kp;
        const std::int64_t rows = count * per_image;
        const float* dy = p.grad_output + n0 * per_image * d.f_all + group * d.fg;
        // dy^T as panels of MR rows, [rows / MR][fg][MR], zero past the last row.
        for (std::int64_t r0 = 0; r0 < rows; r0 += MR) {
          float* panel = dyt.get() + r0 * d.fg;
          const std::int64_t height = std::min<std::int64_t>(MR, rows - r0);
          for (std::int64_t f = 0; f < d.fg; ++f) {
            for (std::int64_t m = 0; m < MR; ++m) {
              panel[f * MR + m] = m < height ? dy[(r0 + m) * d.f_all + f] : 0.0f;
            }
          }
        }
        for (std::int64_t r0 = 0; r0 < rows; r0 += MR) {
          for (std::int64_t tk = 0; tk < tiles_k; ++tk) {
            outer_tile<MR, NV, false>(dyt.get() + r0 * d.fg, MR, w_t + tk * d.fg * kb, kb, d.fg,
                                      dcols.get() + r0 * kp + tk * kb, kp);
          }
        }
        for (std::int64_t i = 0; i < count; ++i) {
          const std::int64_t n = n0 + i;
          for (std::int64_t oh = 0; oh < d.out_h; ++oh) {
            const TapRange th = d.row_taps[static_cast<std::size_t>(oh)];
            for (std::int64_t ow = 0; ow < d.out_w; ++ow) {
              const TapRange tw = d.col_taps[static_cast<std::size_t>(ow)];
              const float* row = dcols.get() + ((i * d.out_h + oh) * d.out_w + ow) * kp;
              for (std::int64_t kh = th.begin; kh < th.end; ++kh) {
                float* x = p.grad_input + ((n * d.in_h + wh.tap(oh, kh)) * d.in_w) * d.c_all +
                           group * d.cg;
                for (std::int64_t kw = tw.begin; kw < tw.end; ++kw) {
                  float* dst = x + ww.tap(ow, kw) * d.c_all;
                  const float* src = row + (kh * d.kw_size + kw) * d.cg;
                  for (std::int64_t c = 0; c < d.cg; ++c) dst[c] += src[c];
                }
              }
            }
          }
        }
      }
      if (p.relu != nullptr) fold_relu(p, n0, count);
    }
  }
}

// The vectors per tile for a tap extent k: the count that pads k least (288 = 6 x 48 taps), the
// wider on a tie.
std::int64_t vectors_for_taps(std::int64_t k) {
  std::int64_t best = 1, waste = kLanes;
  for (std::int64_t nv = Isa::kMaxVectors; nv >= 1; --nv) {
    const std::int64_t w = round_up(k, nv * kLanes) - k;
    if (w < waste || (w == waste && nv > best)) best = nv, waste = w;
  }
  return best;
}

}  // namespace STRIDER_ISA_NAMESPACE

void STRIDER_ISA_FUNCTION(filter)(const Conv2DBackwardFilterProblem& p) {
  using namespace STRIDER_ISA_NAMESPACE;
  constexpr int kAcc = static_cast<int>(Isa::kAccumulators);
  const Conv2DGeometry& g = p.geometry;
  switch (vectors_for_taps(g.height.kernel_size() * g.width.kernel_size() *
                           g.in_channels_per_group())) {
    case 1:
      return filter_gradient<kAcc, 1>(p);
    case 2:
      return filter_gradient<kAcc / 2, 2>(p);
    case 3:
      return filter_gradient<kAcc / 3, 3>(p);
    default:
      return filter_gradient<kAcc / 4, 4>(p);
  }
}

void STRIDER_ISA_FUNCTION(filter_rows)(const Conv2DBackwardFilterProblem& p) {
  using namespace STRIDER_ISA_NAMESPACE;
  constexpr int kAcc = static_cast<int>(Isa::kAccumulators);
  switch (vectors_for<Isa>(p.geometry.out_channels_per_group())) {
    case 1:
      return filter_gradient_rows<kAcc, 1>(p);
    case 2:
      return filter_gradient_rows<kAcc / 2, 2>(p);
    case 3:
      return filter_gradient_rows<kAcc / 3, 3>(p);
    default:
      return filter_gradient_rows<kAcc / 4, 4>(p);
  }
}

void STRIDER_ISA_FUNCTION(input)(const Conv2DBackwardInputProblem& p) {
  using namespace STRIDER_ISA_NAMESPACE;
  constexpr int kAcc = static_cast<int>(Isa::kAccumulators);
  const Conv2DGeometry& g = p.geometry;
  switch (vectors_for_taps(g.height.kernel_size() * g.width.kernel_size() *
                           g.in_channels_per_group())) {
    case 1:
      return input_gradient<kAcc, 1>(p);
    case 2:
      return input_gradient<kAcc / 2, 2>(p);
    case 3:
      return input_gradient<kAcc / 3, 3>(p);
    default:
      return input_gradient<kAcc / 4, 4>(p);
  }
}

}  // namespace strider::kernels
