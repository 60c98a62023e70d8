// The direct Conv2D kernel, written once over an ISA's vector traits and compiled per ISA
// (conv2d_direct_avx512.cpp, conv2d_direct_avx2.cpp, conv2d_direct_generic.cpp, each between its
// ISA's STRIDER_ISA_BEGIN/END, see kernels/isa_target.hpp). Output channels are the vector lanes; a
// register tile holds R output pixels times NV vectors of channels, and every tap broadcasts one
// input value into NV FMAs. The R pixels share their valid taps (Window::valid_taps per axis:
// the interior, or one border position), so one loop over those taps serves them all, each pixel
// through its own input pointer; strides and dilation only change where the pointers start, so
// every stride runs at the same speed per MAC.
//
// Packed filter layout, per group g and channel block b of FB = NV * lanes output channels:
//   packed[(((g * blocks + b) * KH + kh) * KW + kw) * Cg + c) * FB + j]
//     = filter[kh, kw, c, g * Fg + b * FB + j]   (0 past Fg)
// This file has no include guard on purpose: each ISA translation unit includes it once.

// The including file has already included <algorithm>, <memory>, <vector> and conv2d_direct.hpp,
// before its ISA region began.

namespace strider::kernels {
namespace STRIDER_ISA_NAMESPACE {

using V = Isa::V;
constexpr std::int64_t kLanes = Isa::kLanes;

struct Shape2 {
  std::int64_t vectors;  // NV
  std::int64_t pixels;   // R
};

// Fewer output channels per group -> fewer vectors per tile and more pixels, to keep about
// Isa::kAccumulators independent FMAs in flight.
Shape2 tile_shape(std::int64_t channels_per_group) {
  const std::int64_t nv = vectors_for<Isa>(channels_per_group);
  return {nv, Isa::kAccumulators / nv};
}

struct Context {
  const Conv2DGeometry* g;
  std::int64_t in_h, in_w, c_all, out_h, out_w, f_all, kh_size, kw_size, cg, fg;
  std::int64_t dw, blocks, fb;  // the column dilation sets the pointer step between taps
  const float* input;
  const float* packed;
  const float* bias;  // [groups * fg] or null
  float* output;
  Activation activation;
};

// acc[r][v] += x[r][offset + i] * w[i * fb + v * lanes] for i < length: the register tile's
// outer products, one input pointer per pixel. Inlined so that acc and x stay in registers.
template <int NV, int R>
[[gnu::always_inline]] inline void accumulate(V (&acc)[R][NV], const float* const (&x)[R],
                                              std::int64_t offset, const float* w,
                                              std::int64_t length, std::int64_t fb) {
  for (std::int64_t i = 0; i < length; ++i) {
    V wv[NV];
    _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) wv[v] = Isa::load(w + i * fb + v * kLanes);
    _Pragma("GCC unroll 32") for (int r = 0; r < R; ++r) {
      const V b = Isa::broadcast(x[r] + offset + i);
      _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) acc[r][v] =
          Isa::fmadd(b, wv[v], acc[r][v]);
    }
  }
}

// Output pixels that share their valid taps: every image, rows [h0, h1), columns [w0, w1). Tiles
// take R pixels of one class in (n, oh, ow) order, across rows and images, so that narrow rows
// (7 or 14 columns after a stride 2) and the border columns that SAME pads still fill whole
// register tiles: one border pixel at a time kept 2 of 12 accumulators busy.
struct PixelClass {
  std::int64_t h0, h1, w0, w1;
  TapRange th, tw;
  std::int64_t pixels, tiles;
};

// A pixel of a class: image n, output row oh, output column ow; tiles advance it.
struct Cursor {
  std::int64_t n, oh, ow;
};

Cursor cursor_at(const PixelClass& pc, std::int64_t pixel) {
  const std::int64_t cols = pc.w1 - pc.w0, rows = pc.h1 - pc.h0;
  return {pixel / cols / rows, pc.h0 + pixel / cols % rows, pc.w0 + pixel % cols};
}

// The first valid tap of the pixel at `at` (its class reads input), in group `group`.
[[gnu::always_inline]] inline const float* first_input(const Context& c, const PixelClass& pc,
                                                       const Cursor& at, std::int64_t group) {
  return c.input +
         ((at.n * c.in_h + c.g->height.tap(at.oh, pc.th.begin)) * c.in_w +
          c.g->width.tap(at.ow, pc.tw.begin)) *
             c.c_all +
         group * c.cg;
}

[[gnu::always_inline]] inline float* output_of(const Context& c, const Cursor& at,
                                               std::int64_t group) {
  return c.output + ((at.n * c.out_h + at.oh) * c.out_w + at.ow) * c.f_all + group * c.fg;
}

// The next pixel of the class, in (n, oh, ow) order.
[[gnu::always_inline]] inline void advance(const PixelClass& pc, Cursor& at) {
  if (++at.ow == pc.w1) {
    at.ow = pc.w0;
    if (++at.oh == pc.h1) {
      at.oh = pc.h0;
      ++at.n;
    }
  }
}

// The bias of channel block `block`'s vectors, read with the stores' masks (no padded copy per
// call).
template <int NV>
[[gnu::always_inline]] inline void load_bias(const Context& c, std::int64_t group,
                                             std::int64_t block, V (&bias)[NV]) {
  constexpr std::int64_t fb = NV * kLanes;
  _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) {
    const std::int64_t count = std::min<std::int64_t>(kLanes, c.fg - block * fb - v * kLanes);
    bias[v] = c.bias != nullptr && count > 0
                  ? Isa::load(c.bias + group * c.fg + block * fb + v * kLanes, count)
                  : Isa::zero();
  }
}

// One pixel's accumulators for channel block `block`: + bias, activation, masked past F / groups.
template <int NV>
[[gnu::always_inline]] inline void store(const Context& c, float* y, std::int64_t block,
                                         const V (&acc)[NV], const V (&bias)[NV]) {
  constexpr std::int64_t fb = NV * kLanes;
  _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) {
    const std::int64_t count = std::min<std::int64_t>(kLanes, c.fg - block * fb - v * kLanes);
    if (count <= 0) break;
    V out = Isa::add(acc[v], bias[v]);
    if (c.activation == Activation::kRelu) out = Isa::relu(out);
    Isa::store(y + block * fb + v * kLanes, out, count);
  }
}

// The tile of R pixels of class `pc` from `at` on (advanced past them), for channel blocks
// [block_begin, block_end) of `group`: the pixels' pointers are worked out once for all the
// blocks, which matters where a tile's products are few (one input channel: 9 taps).
template <int NV, int R>
void tile(const Context& c, const PixelClass& pc, Cursor& at, std::int64_t group,
          std::int64_t block_begin, std::int64_t block_end) {
  const std::int64_t fb = NV * kLanes;
  // A pixel whose taps all fall in the padding reads nothing, and its first tap may lie far
  // outside the input (explicit pads near 2^60, found by the geometry fuzzer): form no pointer
  // into the input then. Otherwise each pointer is the pixel's first valid tap, inside the input.
  const bool reads = pc.th.size() > 0 && pc.tw.size() > 0;
  const float* x[R];
  float* y[R];
  // The next pixel of a row reads from a fixed step further on (geometry's first valid tap of two
  // neighbouring columns of the class) and writes one output pixel further on; only a new row
  // works its pointers out from the cursor again (those products and the taps per pixel were a
  // third of the tutorial's 1x10x10x3 tiles). The step is asked for only where the class has two
  // columns that read input: both taps are then inside the input, so the step is too (with one
  // output column the stride may be near 2^63: the advisory tests).
  const Window& ww = c.g->width;
  const std::int64_t x_step =
      reads && pc.w1 - pc.w0 > 1
          ? (ww.tap(pc.w0 + 1, pc.tw.begin) - ww.tap(pc.w0, pc.tw.begin)) * c.c_all
          : 0;
  const float* xp = reads ? first_input(c, pc, at, group) : c.input;
  float* yp = output_of(c, at, group);
  _Pragma("GCC unroll 32") for (int r = 0; r < R; ++r) {
    if (r > 0) {
      if (at.ow == pc.w0) {
        xp = reads ? first_input(c, pc, at, group) : c.input;
        yp = output_of(c, at, group);
      } else {
        xp += x_step;
        yp += c.f_all;
      }
    }
    x[r] = xp;
    y[r] = yp;
    advance(pc, at);
  }
  // The step between filter rows, needed only where two rows are valid: then it is less than the
  // input's size. With one valid row the dilation may be near 2^62 (found by the geometry fuzzer).
  const std::int64_t row_step = pc.th.size() > 1 ? c.g->height.dilation() * c.in_w * c.c_all : 0;
  // With dense columns and one group, the taps of a row and their channels are one contiguous
  // run of input (kw * C + c) and of packed filter: one long loop instead of kw short ones,
  // which is what keeps few-channel layers (the RGB stem, C = 3) busy.
  const bool contiguous = c.dw == 1 && c.cg == c.c_all;
  for (std::int64_t block = block_begin; block < block_end; ++block) {
    V acc[R][NV];
    _Pragma("GCC unroll 32") for (int r = 0; r < R; ++r) {
      _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) acc[r][v] = Isa::zero();
    }
    const float* w_block =
        c.packed + (group * c.blocks + block) * c.kh_size * c.kw_size * c.cg * fb;
    const std::int64_t kh_end = reads ? pc.th.end : pc.th.begin;
    for (std::int64_t kh = pc.th.begin; kh < kh_end; ++kh) {
      const std::int64_t offset = (kh - pc.th.begin) * row_step;
      const float* w_row = w_block + kh * c.kw_size * c.cg * fb;
      if (contiguous) {
        accumulate<NV, R>(acc, x, offset, w_row + pc.tw.begin * c.cg * fb, pc.tw.size() * c.cg, fb);
        continue;
      }
      for (std::int64_t kw = pc.tw.begin; kw < pc.tw.end; ++kw) {
        accumulate<NV, R>(acc, x, offset + (kw - pc.tw.begin) * c.dw * c.c_all,
                          w_row + kw * c.cg * fb, c.cg, fb);
      }
    }
    V bias[NV];
    load_bias<NV>(c, group, block, bias);
    _Pragma("GCC unroll 32") for (int r = 0; r < R; ++r) store<NV>(c, y[r], block, acc[r], bias);
  }
}

// A tile of exactly `pixels` (1..R) pixels: dispatches to the instantiation of that width.
template <int NV, int R>
void tile_of(int pixels, const Context& c, const PixelClass& pc, Cursor& at, std::int64_t group,
             std::int64_t block_begin, std::int64_t block_end) {
  if constexpr (R > 1) {
    if (pixels < R) return tile_of<NV, R - 1>(pixels, c, pc, at, group, block_begin, block_end);
  }
  tile<NV, R>(c, pc, at, group, block_begin, block_end);
}

// Filter-stationary tiles for 3x3 filters over one input channel (Fashion-MNIST's first layer:
// C = 1, F = 32). With 9 products per pixel and vector, a register tile's pointer set-up and
// stores took twice as long as its FMAs. With NV <= 2 the channel block's 9 x NV weight vectors
// stay in registers for a whole work item instead, and the pixels stream past them
// kStationaryPixels at a time, one input pointer each (32x28x28x1 -> 32: about 3x faster).
// Interior classes only (all 9 taps valid); the border classes keep the register tiles. The
// products are summed in the same order as there, so the results are the same bits.
template <int NV>
constexpr int kStationaryPixels = 8 / NV;

// Weights, accumulators, a broadcast and a spare in registers: AVX-512's 32 only.
template <int NV>
constexpr bool stationary_fits() {
  return NV <= 2 && 9 * NV + kStationaryPixels<NV> * NV + 2 <= Isa::kRegisters;
}

// Whether the class's pixels read all 9 taps as 3 contiguous runs of 3 floats (input and packed
// filter alike): dense columns, one group, KW x C = 3.
bool stationary(const Context& c, const PixelClass& pc) {
  return c.kh_size == 3 && c.kw_size * c.cg == 3 && c.dw == 1 && c.cg == c.c_all &&
         pc.th.begin == 0 && pc.th.end == 3 && pc.tw.begin == 0 && pc.tw.end == c.kw_size;
}

// P pixels from `at` on: their products, then + bias, the activation (ReLU when kRelu) and the
// stores (whole vectors when kFull, else masked past F / groups).
template <int NV, int P, bool kRelu, bool kFull>
[[gnu::always_inline]] inline void stationary_pixels(const Context& c, const PixelClass& pc,
                                                     Cursor& at, std::int64_t group,
                                                     std::int64_t block, std::int64_t row_step,
                                                     const V (&w)[9][NV], const V (&bias)[NV]) {
  const float* x[P];
  float* y[P];
  _Pragma("GCC unroll 8") for (int q = 0; q < P; ++q) {
    x[q] = first_input(c, pc, at, group);
    y[q] = output_of(c, at, group) + block * NV * kLanes;
    advance(pc, at);
  }
  V acc[P][NV];
  _Pragma("GCC unroll 8") for (int q = 0; q < P; ++q) {
    _Pragma("GCC unroll 2") for (int v = 0; v < NV; ++v) acc[q][v] = Isa::zero();
  }
  _Pragma("GCC unroll 9") for (int k = 0; k < 9; ++k) {
    const std::int64_t offset = k / 3 * row_step + k % 3;
    _Pragma("GCC unroll 8") for (int q = 0; q < P; ++q) {
      const V b = Isa::broadcast(x[q] + offset);
      _Pragma("GCC unroll 2") for (int v = 0; v < NV; ++v) acc[q][v] =
          Isa::fmadd(b, w[k][v], acc[q][v]);
    }
  }
  _Pragma("GCC unroll 8") for (int q = 0; q < P; ++q) {
    if constexpr (kFull) {
      _Pragma("GCC unroll 2") for (int v = 0; v < NV; ++v) {
        V out = Isa::add(acc[q][v], bias[v]);
        if constexpr (kRelu) out = Isa::relu(out);
        Isa::store(y[q] + v * kLanes, out);
      }
    } else {
      store<NV>(c, y[q] - block * NV * kLanes, block, acc[q], bias);
    }
  }
}

template <int NV, bool kRelu, bool kFull>
void stationary_block(const Context& c, const PixelClass& pc, std::int64_t first,
                      std::int64_t count, std::int64_t group, std::int64_t block) {
  constexpr std::int64_t fb = NV * kLanes;
  constexpr int P = kStationaryPixels<NV>;
  const std::int64_t row_step = c.g->height.dilation() * c.in_w * c.c_all;
  const float* w_block = c.packed + (group * c.blocks + block) * 9 * fb;
  V w[9][NV];
  _Pragma("GCC unroll 9") for (int k = 0; k < 9; ++k) {
    _Pragma("GCC unroll 2") for (int v = 0; v < NV; ++v) w[k][v] =
        Isa::load(w_block + k * fb + v * kLanes);
  }
  V bias[NV];
  load_bias<NV>(c, group, block, bias);
  Cursor at = cursor_at(pc, first);
  std::int64_t i = 0;
  for (; i + P <= count; i += P) {
    stationary_pixels<NV, P, kRelu, kFull>(c, pc, at, group, block, row_step, w, bias);
  }
  for (; i < count; ++i) {
    stationary_pixels<NV, 1, kRelu, kFull>(c, pc, at, group, block, row_step, w, bias);
  }
}

// Pixels [first, first + count) of class `pc`, channel blocks [block_begin, block_end).
template <int NV>
void stationary_tiles(const Context& c, const PixelClass& pc, std::int64_t first,
                      std::int64_t count, std::int64_t group, std::int64_t block_begin,
                      std::int64_t block_end) {
  const bool relu = c.activation == Activation::kRelu;
  for (std::int64_t block = block_begin; block < block_end; ++block) {
    if (c.fg - block * NV * kLanes < NV * kLanes) {  // a channel tail: masked stores
      stationary_block<NV, false, false>(c, pc, first, count, group, block);
    } else if (relu) {
      stationary_block<NV, true, true>(c, pc, first, count, group, block);
    } else {
      stationary_block<NV, false, true>(c, pc, first, count, group, block);
    }
  }
}

// Consecutive tiles [begin, end) of one class: one work item, so that a tile's first pixel is
// where the previous one ended, instead of a search for its class and three divisions for its
// (n, oh, ow) per tile (the one-channel layer's tiles do 9 taps of work, and their set-up was as
// long). The tile widths still take one division each.
struct WorkItem {
  std::size_t pixel_class;
  std::int64_t begin, end;
};

// Everything a call works out from the geometry before its first tile: the classes, the work
// items and the cache blocking. A plan keeps it per input shape (Conv2DProblem::schedule); a lone
// call builds it in its thread's storage.
struct Schedule final : Conv2DSchedule {
  std::vector<TapRun> h_runs, w_runs;
  std::vector<PixelClass> classes;
  std::vector<WorkItem> items;
  std::int64_t band = 1, bands = 1;
  bool threaded = false;
};

void build_schedule(const Conv2DGeometry& g, Schedule& s) {
  const Shape2 shape = tile_shape(g.out_channels_per_group());
  const std::int64_t r = shape.pixels, fb = shape.vectors * kLanes;
  const std::int64_t blocks = (g.out_channels_per_group() + fb - 1) / fb;
  s.classes.clear();
  s.items.clear();
  // An empty output has nothing to tile, and its other axis may be long (a zero batch).
  if (g.batch == 0 || g.height.output_size() == 0 || g.width.output_size() == 0 ||
      g.out_channels == 0) {
    return;
  }
  g.height.tap_runs(s.h_runs);
  g.width.tap_runs(s.w_runs);
  std::int64_t tiles = 0;
  for (const TapRun& h : s.h_runs) {
    for (const TapRun& w : s.w_runs) {
      const std::int64_t pixels = g.batch * (h.end - h.begin) * (w.end - w.begin);
      // Tiles of balanced widths (26 pixels with R = 6: 6 + 5 + 5 + 5 + 5, not 6 + 6 + 6 + 6 + 2),
      // since a narrow tile keeps too few FMAs in flight.
      const std::int64_t count = (pixels + r - 1) / r;
      s.classes.push_back({h.begin, h.end, w.begin, w.end, h.taps, w.taps, pixels, count});
      tiles += count;
    }
  }
  // Cache blocking: sweep every tile for a band of one group's channel blocks whose packed
  // filters fit in half of a 512 KiB L2, so that the filters are read from L2 once per band
  // rather than from L3 once per tile (the 1x1 256 -> 512 projection has 512 KiB of filters).
  const std::int64_t unit_bytes =
      g.height.kernel_size() * g.width.kernel_size() * g.in_channels_per_group() * fb * 4;
  s.band = std::clamp<std::int64_t>((std::int64_t{256} << 10) / unit_bytes, 1, blocks);
  s.bands = (blocks + s.band - 1) / s.band;
  s.threaded = g.macs() >= kParallelMacs;
  // About 32 work items per thread (border tiles cost less than interior ones), none across a
  // class boundary; one item per class below the threading threshold, where an item's set-up
  // (its cursor's divisions, the dispatch) was a tenth of the tutorial's 1x10x10x3 call. The
  // split never changes a tile, so the result is the same for any thread count, including one
  // other than the count a kept schedule was made for.
  const std::int64_t per_item =
      s.threaded
          ? std::max<std::int64_t>(1, tiles * g.groups * s.bands / (32 * omp_get_max_threads()))
          : tiles;
  for (std::size_t k = 0; k < s.classes.size(); ++k) {
    for (std::int64_t t = 0; t < s.classes[k].tiles; t += per_item) {
      s.items.push_back({k, t, std::min(s.classes[k].tiles, t + per_item)});
    }
  }
}

template <int NV>
void run_tiles(const Context& c, const Schedule& s) {
  constexpr int R = static_cast<int>(Isa::kAccumulators / NV);
  const std::int64_t count = static_cast<std::int64_t>(s.items.size());
  if (count == 0) return;
  const std::int64_t band = s.band, bands = s.bands;
  // One flat index over (group, band, item), shared out as threads finish; a tile runs every
  // block of its band, reusing its input from L1.
  parallel_for_balanced(c.g->groups * bands * count, s.threaded, [&](std::int64_t i) {
    const WorkItem& item = s.items[static_cast<std::size_t>(i % count)];
    const std::int64_t b = i / count % bands, group = i / count / bands;
    const PixelClass& pc = s.classes[item.pixel_class];
    const std::int64_t block_end = std::min(c.blocks, (b + 1) * band);
    // Tiles of balanced widths: tile j holds pixels [pixels * j / tiles, pixels * (j + 1) / tiles).
    const std::int64_t first = pc.pixels * item.begin / pc.tiles;
    if constexpr (stationary_fits<NV>()) {
      if (stationary(c, pc)) {
        const std::int64_t last = pc.pixels * item.end / pc.tiles;
        stationary_tiles<NV>(c, pc, first, last - first, group, b * band, block_end);
        return;
      }
    }
    Cursor at = cursor_at(pc, first);
    for (std::int64_t j = item.begin; j < item.end; ++j) {
      const std::int64_t lo = pc.pixels * j / pc.tiles, hi = pc.pixels * (j + 1) / pc.tiles;
      tile_of<NV, R>(static_cast<int>(hi - lo), c, pc, at, group, b * band, block_end);
    }
  });
}

}  // namespace STRIDER_ISA_NAMESPACE

std::int64_t STRIDER_ISA_FUNCTION(packed_size)(const Conv2DGeometry& g) {
  using namespace STRIDER_ISA_NAMESPACE;
  const std::int64_t fb = tile_shape(g.out_channels_per_group()).vectors * kLanes;
  const std::int64_t blocks = (g.out_channels_per_group() + fb - 1) / fb;
  return g.groups * blocks * g.height.kernel_size() * g.width.kernel_size() *
         g.in_channels_per_group() * fb;
}

void STRIDER_ISA_FUNCTION(pack)(const Conv2DGeometry& g, const float* filter, float* packed) {
  using namespace STRIDER_ISA_NAMESPACE;
  const std::int64_t fg = g.out_channels_per_group(), cg = g.in_channels_per_group();
  const std::int64_t fb = tile_shape(fg).vectors * kLanes;
  const std::int64_t blocks = (fg + fb - 1) / fb;
  const std::int64_t taps = g.height.kernel_size() * g.width.kernel_size();
  float* p = packed;
  for (std::int64_t group = 0; group < g.groups; ++group) {
    for (std::int64_t b = 0; b < blocks; ++b) {
      for (std::int64_t t = 0; t < taps; ++t) {
        // A tap's filters of the block are contiguous in the filter: a copy, then zeros past fg.
        // Element by element with the bounds test, the copy was 0.4% of a training step, with
        // the other core waiting.
        const std::int64_t width = std::min(fb, fg - b * fb);
        for (std::int64_t ci = 0; ci < cg; ++ci, p += fb) {
          std::copy_n(filter + (t * cg + ci) * g.out_channels + group * fg + b * fb, width, p);
          std::fill(p + width, p + fb, 0.0f);
        }
      }
    }
  }
}

std::unique_ptr<Conv2DSchedule> STRIDER_ISA_FUNCTION(schedule)(const Conv2DGeometry& g) {
  auto s = std::make_unique<STRIDER_ISA_NAMESPACE::Schedule>();
  STRIDER_ISA_NAMESPACE::build_schedule(g, *s);
  return s;
}

void STRIDER_ISA_FUNCTION(run)(const Conv2DProblem& p) {
  using namespace STRIDER_ISA_NAMESPACE;
  const Conv2DGeometry& g = p.geometry;
  const Shape2 shape = tile_shape(g.out_channels_per_group());
  Context c;
  c.g = &g;
  c.in_h = g.height.input_size();
  c.in_w = g.width.input_size();
  c.c_all = g.in_channels;
  c.out_h = g.height.output_size();
  c.out_w = g.width.output_size();
  c.f_all = g.out_channels;
  c.kh_size = g.height.kernel_size();
  c.kw_size = g.width.kernel_size();
  c.cg = g.in_channels_per_group();
  c.fg = g.out_channels_per_group();
  c.dw = g.width.dilation();
  c.fb = shape.vectors * kLanes;
  c.blocks = (c.fg + c.fb - 1) / c.fb;
  c.input = p.input;
  c.packed = p.packed;
  c.bias = p.bias;
  c.output = p.output;
  c.activation = p.activation;
  // A lone call's schedule reuses its thread's storage: on the tutorial's 1x10x10x3 layer the
  // allocations were a fifth of the call.
  const Schedule* s = static_cast<const Schedule*>(p.schedule);
  if (s == nullptr) {
    thread_local Schedule scratch;
    build_schedule(g, scratch);
    s = &scratch;
  }
  switch (shape.vectors) {
    case 1:
      run_tiles<1>(c, *s);
      break;
    case 2:
      run_tiles<2>(c, *s);
      break;
    case 3:
      run_tiles<3>(c, *s);
      break;
    default:
      run_tiles<4>(c, *s);
      break;
  }
}

}  // namespace strider::kernels
