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
// channels the filter gradient reads the column matrix in place from a padded copy of the input
// instead (filter_gradient_rows). Scratch buffers start on cache lines (kernels/aligned.hpp); those
// written before they are read are not zeroed: a zeroed vector per call cost a pass over megabytes
// of partial sums. This file has no include guard on purpose: each ISA translation unit includes it
// once.

namespace strider::kernels {
namespace STRIDER_ISA_NAMESPACE {

using V = Isa::V;
constexpr std::int64_t kLanes = Isa::kLanes;
// About this many floats of column matrix per chunk: the input gradient's step (it stays in L2
// while the tiles read it), and the unit the filter gradient's row blocks are counted in.
constexpr std::int64_t kChunkFloats = std::int64_t{1} << 16;

// Where row i of a tile's b operand starts: b + i * step (a packed panel or a gathered column
// matrix), or rows[i * step] + offset (the column matrix read in place: filter_gradient).
struct StridedRows {
  const float* b;
  std::int64_t step;
  const float* operator()(std::int64_t i) const { return b + i * step; }
};
struct IndirectRows {
  const float* const* rows;
  std::int64_t step, offset;
  const float* operator()(std::int64_t i) const { return rows[i * step] + offset; }
};

// c[m * c_step + v * lanes ...] (+)= sum over i < length of a[i * a_step + m] * b_row(i)[...]
template <int MR, int NV, bool kAccumulate, class Rows>
void outer_tile(const float* a, std::int64_t a_step, Rows b_row, std::int64_t length, float* c,
                std::int64_t c_step) {
  V acc[MR][NV];
  _Pragma("GCC unroll 32") for (int m = 0; m < MR; ++m) {
    _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) {
      acc[m][v] = kAccumulate ? Isa::load(c + m * c_step + v * kLanes) : Isa::zero();
    }
  }
  for (std::int64_t i = 0; i < length; ++i) {
    const float* b = b_row(i);
    V bv[NV];
    _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) bv[v] = Isa::load(b + v * kLanes);
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

// Taps per step of the filter gradients' final sums: a multiple of sum_partials' unrolled width.
constexpr std::int64_t kSumTaps = 64;

// outer_tile for the first `mr` (1..MR) broadcast rows: the last rows of a tile column.
template <int MR, int NV, bool kAccumulate, class Rows>
void outer_tile_upto(int mr, const float* a, std::int64_t a_step, Rows b_row, std::int64_t length,
                     float* c, std::int64_t c_step) {
  if constexpr (MR > 1) {
    if (mr < MR) {
      return outer_tile_upto<MR - 1, NV, kAccumulate>(mr, a, a_step, b_row, length, c, c_step);
    }
  }
  outer_tile<MR, NV, kAccumulate>(a, a_step, b_row, length, c, c_step);
}

// How many blocks the filter gradients cut `rows` into, each summed into its own partial of
// `partial_floats`: up to 8 blocks of at least two chunks each, and partials of at most 32 MiB
// in all. It depends on the shape only, which keeps the bits independent of the thread count.
// Where blocks are too few for the threads, their tap tiles are split too (filter_gradient). Up
// to 16 blocks (1.2 MB of partials for the CNN's second layer, added up at the end from both
// cores' caches) took 1-4% longer on the CNN's filter gradients than 8 (fastest of 15 repeats,
// three alternating rounds of strider_conv2d_backward_bench s2); 4 was slower again.
inline std::int64_t row_blocks(std::int64_t rows, std::int64_t chunk, std::int64_t partial_floats) {
  return std::clamp<std::int64_t>(
      std::min<std::int64_t>(8, rows / (2 * chunk)), 1,
      std::max<std::int64_t>(1, (std::int64_t{8} << 20) / partial_floats));
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
  const std::int64_t blocks = row_blocks(rows_total, chunk, kp * d.fg);
  // Each block is walked in steps of rows whose column-matrix slice of kb taps and output
  // gradient (rows x (kb + fg) floats) stay in L1 while the tiles of every output-channel group
  // read them, one slice of taps after the other. Steps as long as a block's chunk, each tile
  // re-reading the whole matrix from L2, were 6-13% slower on the CNN's filter gradients
  // (strider_conv2d_backward_bench, medians of alternating runs). Within a block every element
  // still sums its rows in order: the same bits.
  const std::int64_t step =
      std::clamp<std::int64_t>((std::int64_t{8} << 10) / (kb + d.fg), 1, chunk);
  const int teams = teams_for(p.geometry);
  const MemoryReservation scratch((teams * (step * kp + d.fg * kSumTaps) + blocks * d.fg * kp) *
                                      static_cast<std::int64_t>(sizeof(float)),
                                  "conv2d_backward_filter: the column matrices");
  const AlignedFloats partials = aligned_floats_for_overwrite(blocks * d.fg * kp);
  // A window's kernel row (kw, c) lies in the input as it is, kw_size x C floats from the
  // window's first column, where the columns are dense (dilation 1), the channels are all of the
  // pixel's (one group) and no tile straddles two kernel rows. Then the tiles read the window's
  // rows in place through a pointer per (row of the matrix, kh): the input for rows whose width
  // taps are all valid (a zero row for their taps in the padding), a gathered row at the borders.
  // Copying every window (gather_row) was a quarter of the CNN's 32 -> 64 filter gradient, most of
  // it waiting on the input's first reads. The products and their order are the same: same bits.
  const Window& wh = p.geometry.height;
  const Window& ww = p.geometry.width;
  const std::int64_t kh_size = wh.kernel_size(), segment = d.kw_size * d.cg;
  const bool in_place = ww.dilation() == 1 && d.cg == d.c_all && segment % kb == 0;
  const AlignedFloats zeros = aligned_floats(in_place ? segment : 0);
  // Each block's tap tiles in `parts` slices, an item of work each, where the blocks alone are
  // too few to keep the threads busy or do not divide among them evenly: a dense layer's 64 rows
  // are one block (one thread), the CNN's third layer's 15 blocks left one thread idle for one of
  // 16. Every element of a partial is still summed by one item over its block's rows in order:
  // the same bits for any thread count. Only where the tiles read the input in place: a gathered
  // matrix would be gathered again by every slice.
  std::int64_t parts = 1;
  while (in_place && parts < tiles_k && blocks * parts < 16 * teams &&
         (blocks * parts < 4 * teams || blocks * parts % teams != 0)) {
    ++parts;
  }
  // Read in place, only windows cut by the padding across the width need a gathered row: none in
  // a dense layer's product, whose 1.4 MB per thread allocated and freed per call (a fresh mapping
  // each time, with two threads) tripled its filter gradient.
  bool gathers = !in_place;
  for (const TapRange& t : d.col_taps) gathers = gathers || t.size() != d.kw_size;
#pragma omp parallel num_threads(teams) if (teams > 1)
  {
    const AlignedFloats cols = aligned_floats_for_overwrite(gathers ? step * kp : 0);
    const AlignedFloats sums = aligned_floats_for_overwrite(d.fg * kSumTaps);
    std::vector<const float*> row_of(static_cast<std::size_t>(in_place ? step * kh_size : 0));
    for (std::int64_t group = 0; group < p.geometry.groups; ++group) {
#pragma omp for schedule(dynamic, 1)
      for (std::int64_t item = 0; item < blocks * parts; ++item) {
        const std::int64_t block = item / parts, part = item % parts;
        const std::int64_t tk_begin = tiles_k * part / parts;
        const std::int64_t tk_end = tiles_k * (part + 1) / parts;
        float* dwt = partials.get() + block * d.fg * kp;
        const std::int64_t r_begin = rows_total * block / blocks;
        const std::int64_t r_end = rows_total * (block + 1) / blocks;
        if (r_begin == r_end) {
          for (std::int64_t f = 0; f < d.fg; ++f) {
            std::fill(dwt + f * kp + tk_begin * kb, dwt + f * kp + tk_end * kb, 0.0f);
          }
        }
        for (std::int64_t r0 = r_begin; r0 < r_end; r0 += step) {
          const std::int64_t rows = std::min(step, r_end - r0);
          const float* dy = p.grad_output + r0 * d.f_all + group * d.fg;
          const bool first = r0 == r_begin;  // writes the block's partial, the others add to it
          if (in_place) {
            // Output position (n, oh, ow) of row r0 + r, counted on rather than divided out.
            std::int64_t ow = r0 % d.out_w, oh = r0 / d.out_w % d.out_h;
            std::int64_t n = r0 / (d.out_w * d.out_h);
            for (std::int64_t r = 0; r < rows; ++r) {
              const float** row = row_of.data() + r * kh_size;
              if (d.col_taps[static_cast<std::size_t>(ow)].size() == d.kw_size) {
                const TapRange th = d.row_taps[static_cast<std::size_t>(oh)];
                for (std::int64_t kh = 0; kh < kh_size; ++kh) {
                  row[kh] = kh >= th.begin && kh < th.end
                                ? p.input + ((n * d.in_h + wh.tap(oh, kh)) * d.in_w +
                                             ww.first_input(ow)) *
                                                d.c_all
                                : zeros.get();
                }
              } else {
                gather_row(d, p.input, r0 + r, group, cols.get() + r * kp, kp);
                for (std::int64_t kh = 0; kh < kh_size; ++kh) {
                  row[kh] = cols.get() + r * kp + kh * segment;
                }
              }
              if (++ow == d.out_w) {
                ow = 0;
                if (++oh == d.out_h) oh = 0, ++n;
              }
            }
            const auto run = first ? outer_tile_upto<MR, NV, false, IndirectRows>
                                   : outer_tile_upto<MR, NV, true, IndirectRows>;
            for (std::int64_t tk = tk_begin; tk < tk_end; ++tk) {
              const IndirectRows b{row_of.data() + tk * kb / segment, kh_size, tk * kb % segment};
              for (std::int64_t f0 = 0; f0 < d.fg; f0 += MR) {
                const int mr = static_cast<int>(std::min<std::int64_t>(MR, d.fg - f0));
                run(mr, dy + f0, d.f_all, b, rows, dwt + f0 * kp + tk * kb, kp);
              }
            }
            continue;
          }
          for (std::int64_t r = 0; r < rows; ++r) {
            gather_row(d, p.input, r0 + r, group, cols.get() + r * kp, kp);
          }
          const auto run = first ? outer_tile_upto<MR, NV, false, StridedRows>
                                 : outer_tile_upto<MR, NV, true, StridedRows>;
          for (std::int64_t tk = tk_begin; tk < tk_end; ++tk) {
            for (std::int64_t f0 = 0; f0 < d.fg; f0 += MR) {
              const int mr = static_cast<int>(std::min<std::int64_t>(MR, d.fg - f0));
              run(mr, dy + f0, d.f_all, StridedRows{cols.get() + tk * kb, kp}, rows,
                  dwt + f0 * kp + tk * kb, kp);
            }
          }
        }
      }
      // The partials are dW^T; dW is written a tap row (fg contiguous floats) at a time, from the
      // sums of kSumTaps taps of every filter. Written a filter column at a time, every store
      // went to another cache line and most of them missed: 60% of this function's time apart
      // from its tiles, over 1% of a training step.
#pragma omp for schedule(static)
      for (std::int64_t k0 = 0; k0 < d.k; k0 += kSumTaps) {
        const std::int64_t taps = std::min(kSumTaps, d.k - k0);
        for (std::int64_t f = 0; f < d.fg; ++f) {
          sum_partials(partials.get() + f * kp + k0, blocks, d.fg * kp, taps,
                       sums.get() + f * kSumTaps);
        }
        for (std::int64_t k = 0; k < taps; ++k) {
          float* out = p.grad_filter + (k0 + k) * d.f_all + group * d.fg;
          for (std::int64_t f = 0; f < d.fg; ++f) out[f] = sums[f * kSumTaps + k];
        }
      }
    }
  }
}

// The input of one group copied once per call with its padding made explicit: image n, padded
// row ph, padded column pw, channel c at ((n * rows + ph) * cols + pw) * cg + c, where padded row
// 0 is the first output row's first tap (geometry's tap(0, 0), negative in the padding) and the
// last padded row the last output row's last tap. Every window is then in bounds: tap (kh, kw, c)
// of output (oh, ow) is at a fixed offset per tap from the window's corner, and taps in the
// padding read zeros.
struct PaddedInput {
  float* data;
  std::int64_t rows, cols, cg;
  std::int64_t image_floats() const { return rows * cols * cg; }
};

PaddedInput padded_extent(const Conv2DGeometry& g) {
  return {nullptr, g.height.extent(), g.width.extent(), g.in_channels_per_group()};
}

// Copies image n of group `group` into `padded`, zeros in the padding.
void pad_image(const Conv2DGeometry& g, const float* input, std::int64_t group,
               const PaddedInput& padded, std::int64_t n) {
  const Window& wh = g.height;
  const Window& ww = g.width;
  const std::int64_t first_h = wh.tap(0, 0), first_w = ww.tap(0, 0);
  const std::int64_t in_h = wh.input_size(), in_w = ww.input_size(), c_all = g.in_channels;
  const std::int64_t cg = padded.cg, row_floats = padded.cols * cg;
  const std::int64_t w_begin = std::max<std::int64_t>(first_w, 0);
  const std::int64_t w_end = std::min(first_w + padded.cols, in_w);
  for (std::int64_t ph = 0; ph < padded.rows; ++ph) {
    float* dst = padded.data + (n * padded.rows + ph) * row_floats;
    const std::int64_t ih = first_h + ph;
    if (ih < 0 || ih >= in_h || w_begin >= w_end) {
      std::fill(dst, dst + row_floats, 0.0f);
      continue;
    }
    std::fill(dst, dst + (w_begin - first_w) * cg, 0.0f);
    const float* x = input + ((n * in_h + ih) * in_w) * c_all + group * cg;
    float* inside = dst + (w_begin - first_w) * cg;
    if (cg == c_all) {
      std::copy(x + w_begin * cg, x + w_end * cg, inside);
    } else {
      for (std::int64_t iw = w_begin; iw < w_end; ++iw) {
        std::copy_n(x + iw * c_all, cg, inside + (iw - w_begin) * cg);
      }
    }
    std::fill(inside + (w_end - w_begin) * cg, dst + row_floats, 0.0f);
  }
}

// What a padded tile reads: output rows r = n * out_h + oh from the padded input and the output
// gradient, both in place.
struct PaddedRows {
  const float* padded;
  std::int64_t image_floats, out_h, out_w;
  const std::int64_t* row_offsets;  // per output row oh: its windows' first padded row, in floats
  std::int64_t col_step;            // floats from one output column's window to the next
  const float* dy;                  // grad_output at this group's and tile's first filter
  std::int64_t f_all;
};

// c[m * c_step + v * lanes ...] (+)= the sum over output rows [r0, r1) and all their columns p
// of tap m's input x[p + offsets[m]] times the output gradient dy[p, v * lanes ...]: MR taps
// broadcast, NV vectors of filters, the accumulators in registers across all the rows. With
// kTail the filter vectors are read with counts[v] lanes (fewer filters than the tile is wide).
template <int MR, int NV, bool kAccumulate, bool kTail>
void padded_tile(const PaddedRows& s, const std::int64_t* offsets, const std::int64_t* counts,
                 std::int64_t r0, std::int64_t r1, float* c, std::int64_t c_step) {
  V acc[MR][NV];
  std::int64_t off[MR];
  _Pragma("GCC unroll 32") for (int m = 0; m < MR; ++m) {
    off[m] = offsets[m];
    _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) {
      acc[m][v] = kAccumulate ? Isa::load(c + m * c_step + v * kLanes) : Isa::zero();
    }
  }
  for (std::int64_t r = r0; r < r1; ++r) {
    const std::int64_t n = r / s.out_h, oh = r % s.out_h;
    const float* x = s.padded + n * s.image_floats + s.row_offsets[oh];
    const float* b = s.dy + r * s.out_w * s.f_all;
    for (std::int64_t ow = 0; ow < s.out_w; ++ow, x += s.col_step, b += s.f_all) {
      V bv[NV];
      _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) {
        // A vector wholly past the filters reads nothing (generic's one-lane load would).
        bv[v] = !kTail          ? Isa::load(b + v * kLanes)
                : counts[v] > 0 ? Isa::load(b + v * kLanes, counts[v])
                                : Isa::zero();
      }
      _Pragma("GCC unroll 32") for (int m = 0; m < MR; ++m) {
        const V a = Isa::broadcast(x + off[m]);
        _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) acc[m][v] =
            Isa::fmadd(a, bv[v], acc[m][v]);
      }
    }
  }
  _Pragma("GCC unroll 32") for (int m = 0; m < MR; ++m) {
    _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) {
      Isa::store(c + m * c_step + v * kLanes, acc[m][v], kLanes);
    }
  }
}

// padded_tile for the first `mr` (1..MR) taps: the last taps of the filter.
template <int MR, int NV, bool kAccumulate, bool kTail>
void padded_tile_upto(int mr, const PaddedRows& s, const std::int64_t* offsets,
                      const std::int64_t* counts, std::int64_t r0, std::int64_t r1, float* c,
                      std::int64_t c_step) {
  if constexpr (MR > 1) {
    if (mr < MR) {
      return padded_tile_upto<MR - 1, NV, kAccumulate, kTail>(mr, s, offsets, counts, r0, r1, c,
                                                              c_step);
    }
  }
  padded_tile<MR, NV, kAccumulate, kTail>(s, offsets, counts, r0, r1, c, c_step);
}

// The filter gradient read in place from a padded copy of the input, for few input channels per
// group (a network's first layer: C = 1 or 3), where gather_row's per-tap copies of 1-3 floats
// cost more than the products. dW^T[k, f] = sum over output pixels p of x[p, k] * dy[p, f]: MR
// taps are broadcast from the padded input at a fixed offset each from the window's corner
// (geometry's tap(0, kh) and tap(0, kw) from tap(0, 0)), NV vectors of filters are read from the
// output gradient in place, and the accumulators stay in registers over a whole chunk of output
// rows. A padded row per output row and its tile call (the kernel before) spent as long
// setting up as multiplying: 64x28x28x1 -> 32 3x3 took 0.7-1.1 ms on one thread.
// The output rows are cut into blocks that depend on the shape only, each summed into its own
// partial by whichever thread takes it, the partials added in block order: the bits do not
// depend on the thread count.
template <int MR, int NV>
void filter_gradient_rows(const Conv2DBackwardFilterProblem& p) {
  const Dims d = dims_of(p.geometry);
  const Conv2DGeometry& g = p.geometry;
  const Window& wh = g.height;
  const Window& ww = g.width;
  const std::int64_t fb = NV * kLanes;
  const std::int64_t fp = round_up(d.fg, fb), tiles_f = fp / fb;
  const std::int64_t rows_total = g.batch * d.out_h;
  PaddedInput padded = padded_extent(g);
  // The padded copy's size, checked first: explicit padding can make the windows' extent (and a
  // product with it) pass 2^63 though the input is small (the geometry fuzzer). A window step is
  // at most the padded rows, so the chunk's product below is at most an image.
  constexpr const char* kWhat = "conv2d_backward_filter: the padded input";
  const std::int64_t padded_floats = checked_mul(
      g.batch, checked_product(std::array{padded.rows, padded.cols, padded.cg}, kWhat), kWhat);
  // Chunks of output rows whose output gradient (out_w x fp floats a row) and padded input
  // rows (a window step x cols x cg floats a row) stay in L1 while every tap tile reads them;
  // blocks of at least two chunks, up to 16.
  const std::int64_t chunk = std::max<std::int64_t>(
      1, (std::int64_t{8} << 10) /
             std::max<std::int64_t>(1, d.out_w * fp + wh.window_step() * padded.cols * d.cg));
  const std::int64_t blocks = row_blocks(rows_total, chunk, d.k * fp);
  const int teams = teams_for(g);
  const MemoryReservation scratch(checked_mul(checked_add(padded_floats, blocks * d.k * fp, kWhat),
                                              static_cast<std::int64_t>(sizeof(float)), kWhat),
                                  kWhat);
  const AlignedFloats padded_data = aligned_floats_for_overwrite(padded_floats);
  padded.data = padded_data.get();
  const AlignedFloats partials = aligned_floats_for_overwrite(blocks * d.k * fp);
  // Per tap k = (kh, kw, c): its offset from the window's corner in the padded input.
  std::vector<std::int64_t> offsets(static_cast<std::size_t>(d.k));
  for (std::int64_t kh = 0; kh < wh.kernel_size(); ++kh) {
    for (std::int64_t kw = 0; kw < d.kw_size; ++kw) {
      for (std::int64_t c = 0; c < d.cg; ++c) {
        offsets[static_cast<std::size_t>((kh * d.kw_size + kw) * d.cg + c)] =
            ((wh.tap(0, kh) - wh.tap(0, 0)) * padded.cols + ww.tap(0, kw) - ww.tap(0, 0)) * d.cg +
            c;
      }
    }
  }
  std::vector<std::int64_t> row_offsets(static_cast<std::size_t>(d.out_h));
  for (std::int64_t oh = 0; oh < d.out_h; ++oh) {
    row_offsets[static_cast<std::size_t>(oh)] = (wh.tap(oh, 0) - wh.tap(0, 0)) * padded.cols * d.cg;
  }
  // Lanes of each filter vector of the last tile column (fewer than a vector past fg).
  std::int64_t counts[NV];
  for (int v = 0; v < NV; ++v) {
    counts[v] = std::clamp<std::int64_t>(d.fg - (tiles_f - 1) * fb - v * kLanes, 0, kLanes);
  }
  const bool tail = fp != d.fg;
#pragma omp parallel num_threads(teams) if (teams > 1)
  {
    for (std::int64_t group = 0; group < g.groups; ++group) {
#pragma omp for schedule(static)
      for (std::int64_t n = 0; n < g.batch; ++n) pad_image(g, p.input, group, padded, n);
      const PaddedRows s{padded.data,
                         padded.image_floats(),
                         d.out_h,
                         d.out_w,
                         row_offsets.data(),
                         ww.window_step() * d.cg,
                         p.grad_output + group * d.fg,
                         d.f_all};
#pragma omp for schedule(dynamic, 1)
      for (std::int64_t block = 0; block < blocks; ++block) {
        float* dwt = partials.get() + block * d.k * fp;
        const std::int64_t r_begin = rows_total * block / blocks;
        const std::int64_t r_end = rows_total * (block + 1) / blocks;
        if (r_begin == r_end) std::fill(dwt, dwt + d.k * fp, 0.0f);
        for (std::int64_t r0 = r_begin; r0 < r_end; r0 += chunk) {
          const std::int64_t r1 = std::min(r0 + chunk, r_end);
          const bool first = r0 == r_begin;
          for (std::int64_t tf = 0; tf < tiles_f; ++tf) {
            PaddedRows st = s;
            st.dy += tf * fb;
            const bool masked = tail && tf == tiles_f - 1;
            const auto run = first ? (masked ? padded_tile_upto<MR, NV, false, true>
                                             : padded_tile_upto<MR, NV, false, false>)
                                   : (masked ? padded_tile_upto<MR, NV, true, true>
                                             : padded_tile_upto<MR, NV, true, false>);
            for (std::int64_t k0 = 0; k0 < d.k; k0 += MR) {
              const int mr = static_cast<int>(std::min<std::int64_t>(MR, d.k - k0));
              run(mr, st, offsets.data() + k0, counts, r0, r1, dwt + k0 * fp + tf * fb, fp);
            }
          }
        }
      }
#pragma omp for schedule(static)
      for (std::int64_t k = 0; k < d.k; ++k) {
        sum_partials(partials.get() + k * fp, blocks, d.k * fp, d.fg,
                     p.grad_filter + k * d.f_all + group * d.fg);
      }
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
            outer_tile<MR, NV, false>(dyt.get() + r0 * d.fg, MR,
                                      StridedRows{w_t + tk * d.fg * kb, kb}, d.fg,
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
