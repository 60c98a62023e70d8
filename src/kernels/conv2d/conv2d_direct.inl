// The direct Conv2D kernel, written once over an ISA's vector traits and compiled per ISA
// (conv2d_direct_avx512.cpp, conv2d_direct_avx2.cpp, conv2d_direct_generic.cpp, each between its
// ISA's STRIDER_ISA_BEGIN/END, see kernels/isa_target.hpp). Output channels are the vector lanes; a
// register tile holds R output pixels of one row times NV vectors of channels, and every tap
// broadcasts one input value into NV FMAs. Strides and dilation only change the pointer steps, so
// every stride runs at the same speed per MAC. Windows come from geometry: the row taps from
// Window::valid_taps, and the columns whose taps all land inside the input (the interior, where
// multi-pixel tiles run) likewise.
//
// Packed filter layout, per group g and channel block b of FB = NV * lanes output channels:
//   packed[(((g * blocks + b) * KH + kh) * KW + kw) * Cg + c) * FB + j]
//     = filter[kh, kw, c, g * Fg + b * FB + j]   (0 past Fg)
// This file has no include guard on purpose: each ISA translation unit includes it once.

// The including file has already included <algorithm>, <vector> and conv2d_direct.hpp, before
// its ISA region began.

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
  std::int64_t nv = Isa::kMaxVectors;
  while (nv > 1 && (nv - 1) * kLanes >= channels_per_group) --nv;
  return {nv, Isa::kAccumulators / nv};
}

struct Context {
  const Conv2DGeometry* g;
  std::int64_t in_h, in_w, c_all, out_h, out_w, f_all, kh_size, kw_size, cg, fg;
  std::int64_t sw, dw, blocks, fb;  // the column stride and dilation set pointer steps
  const float* input;
  const float* packed;
  const float* bias;  // padded: [groups * blocks * FB]
  float* output;
  Activation activation;
};

// acc[r][v] += x[r * x_step + i] * w[i * fb + v * lanes] for i < length: the register tile's
// outer products. Inlined so that acc stays in registers.
template <int NV, int R>
[[gnu::always_inline]] inline void accumulate(V (&acc)[R][NV], const float* x, const float* w,
                                              std::int64_t length, std::int64_t x_step,
                                              std::int64_t fb) {
  for (std::int64_t i = 0; i < length; ++i) {
    V wv[NV];
    _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) wv[v] = Isa::load(w + i * fb + v * kLanes);
    _Pragma("GCC unroll 32") for (int r = 0; r < R; ++r) {
      const V b = Isa::broadcast(x + r * x_step + i);
      _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) acc[r][v] =
          Isa::fmadd(b, wv[v], acc[r][v]);
    }
  }
}

template <int NV, int R>
void tile(const Context& c, std::int64_t n, std::int64_t oh, std::int64_t ow0, TapRange th,
          TapRange tw, std::int64_t group, std::int64_t block) {
  V acc[R][NV];
  _Pragma("GCC unroll 32") for (int r = 0; r < R; ++r) {
    _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) acc[r][v] = Isa::zero();
  }
  const std::int64_t fb = NV * kLanes;
  const float* w_block = c.packed + (group * c.blocks + block) * c.kh_size * c.kw_size * c.cg * fb;
  // Only multi-pixel tiles step from pixel to pixel, and they exist only where two windows start
  // inside the input, so there sw < in_w and the step fits; a single-pixel tile with a stride near
  // INT64_MAX (found by the geometry fuzzer) must not multiply it by the channel count.
  const std::int64_t x_step = R > 1 ? c.sw * c.c_all : 0;
  // With dense columns and one group, the taps of a row and their channels are one contiguous run
  // of input (kw * C + c) and of packed filter: one long loop instead of kw short ones, which is
  // what keeps few-channel layers (the RGB stem, C = 3) busy.
  const bool contiguous = c.dw == 1 && c.cg == c.c_all;
  // A pixel whose columns all fall in the padding reads nothing, and its first tap may lie far
  // outside the input (explicit pads near 2^60, found by the geometry fuzzer): form no pointer.
  const std::int64_t kh_end = tw.size() > 0 ? th.end : th.begin;
  for (std::int64_t kh = th.begin; kh < kh_end; ++kh) {
    const std::int64_t ih = c.g->height.tap(oh, kh);
    const float* x_row = c.input + (n * c.in_h + ih) * c.in_w * c.c_all + group * c.cg;
    const float* w_row = w_block + kh * c.kw_size * c.cg * fb;
    if (contiguous) {
      accumulate<NV, R>(acc, x_row + c.g->width.tap(ow0, tw.begin) * c.c_all,
                        w_row + tw.begin * c.cg * fb, tw.size() * c.cg, x_step, fb);
      continue;
    }
    for (std::int64_t kw = tw.begin; kw < tw.end; ++kw) {
      accumulate<NV, R>(acc, x_row + c.g->width.tap(ow0, kw) * c.c_all, w_row + kw * c.cg * fb,
                        c.cg, x_step, fb);
    }
  }
  const std::int64_t f0 = group * c.fg + block * fb;
  const float* bias = c.bias + (group * c.blocks + block) * fb;
  _Pragma("GCC unroll 32") for (int r = 0; r < R; ++r) {
    float* out = c.output + ((n * c.out_h + oh) * c.out_w + ow0 + r) * c.f_all + f0;
    _Pragma("GCC unroll 8") for (int v = 0; v < NV; ++v) {
      const std::int64_t count = std::min<std::int64_t>(kLanes, c.fg - block * fb - v * kLanes);
      if (count <= 0) break;
      V y = Isa::add(acc[r][v], Isa::load(bias + v * kLanes));
      if (c.activation == Activation::kRelu) y = Isa::relu(y);
      Isa::store(out + v * kLanes, y, count);
    }
  }
}

// A tile of exactly `pixels` (1..R) pixels: dispatches to the instantiation of that width.
template <int NV, int R>
void tile_of(int pixels, const Context& c, std::int64_t n, std::int64_t oh, std::int64_t ow,
             TapRange th, TapRange tw, std::int64_t group, std::int64_t block) {
  if constexpr (R > 1) {
    if (pixels < R) return tile_of<NV, R - 1>(pixels, c, n, oh, ow, th, tw, group, block);
  }
  tile<NV, R>(c, n, oh, ow, th, tw, group, block);
}

// Interior columns [ow, end) in the fewest tiles of at most R pixels, their widths balanced
// (26 columns with R = 6: 6 + 5 + 5 + 5 + 5, not 6 + 6 + 6 + 6 + 1 + 1), since a narrow tile
// keeps too few FMAs in flight.
template <int NV, int R>
void interior(const Context& c, std::int64_t n, std::int64_t oh, std::int64_t ow, std::int64_t end,
              TapRange th, std::int64_t group, std::int64_t block) {
  const TapRange all{0, c.kw_size};
  const std::int64_t tiles = (end - ow + R - 1) / R;
  for (std::int64_t left = tiles; left > 0; --left) {
    const std::int64_t width = (end - ow + left - 1) / left;  // ceil(remaining / tiles left)
    tile_of<NV, R>(static_cast<int>(width), c, n, oh, ow, th, all, group, block);
    ow += width;
  }
}

// One output row of one channel block: border columns one pixel at a time with their own tap
// ranges, the interior in tiles whose taps are all inside.
template <int NV, int R>
void row(const Context& c, std::int64_t n, std::int64_t oh, std::int64_t group, std::int64_t block,
         std::int64_t interior_begin, std::int64_t interior_end) {
  const TapRange th = c.g->height.valid_taps(oh);
  for (std::int64_t ow = 0; ow < interior_begin; ++ow) {
    tile<NV, 1>(c, n, oh, ow, th, c.g->width.valid_taps(ow), group, block);
  }
  interior<NV, R>(c, n, oh, interior_begin, interior_end, th, group, block);
  for (std::int64_t ow = interior_end; ow < c.out_w; ++ow) {
    tile<NV, 1>(c, n, oh, ow, th, c.g->width.valid_taps(ow), group, block);
  }
}

template <int NV>
void run_rows(const Context& c) {
  constexpr int R = static_cast<int>(Isa::kAccumulators / NV);
  // The interior: columns whose every tap lands inside the input (a contiguous range).
  std::int64_t begin = c.out_w, end = c.out_w;
  for (std::int64_t ow = 0; ow < c.out_w; ++ow) {
    if (c.g->width.valid_taps(ow).size() == c.kw_size) {
      if (begin == c.out_w) begin = ow;
      end = ow + 1;
    }
  }
  if (begin == c.out_w) end = begin;
  const std::int64_t rows = c.g->batch * c.out_h;
  const std::int64_t units = c.g->groups * c.blocks;
  // Cache blocking: sweep every row for a band of channel blocks whose packed filters fit in
  // half of a 512 KiB L2, so that the filters are read from L2 once per band rather than from L3
  // once per row (the 1x1 256 -> 512 projection has 512 KiB of filters).
  const std::int64_t unit_bytes = c.kh_size * c.kw_size * c.cg * c.fb * 4;
  const std::int64_t band =
      std::clamp<std::int64_t>((std::int64_t{256} << 10) / unit_bytes, 1, units);
  const std::int64_t bands = (units + band - 1) / band;
  const bool threaded = c.g->macs() >= kParallelMacs;
  // One flat index over (band, row, block in band), so that threads split it evenly.
  parallel_for(bands * rows * band, threaded, [&](std::int64_t i) {
    const std::int64_t k = i % band, nr = (i / band) % rows, u = (i / band / rows) * band + k;
    if (u < units)
      row<NV, R>(c, nr / c.out_h, nr % c.out_h, u / c.blocks, u % c.blocks, begin, end);
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
        for (std::int64_t ci = 0; ci < cg; ++ci) {
          for (std::int64_t j = 0; j < fb; ++j) {
            const std::int64_t f = b * fb + j;
            *p++ = f < fg ? filter[(t * cg + ci) * g.out_channels + group * fg + f] : 0.0f;
          }
        }
      }
    }
  }
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
  c.sw = g.width.stride();
  c.dw = g.width.dilation();
  c.fb = shape.vectors * kLanes;
  c.blocks = (c.fg + c.fb - 1) / c.fb;
  std::vector<float> bias(static_cast<std::size_t>(g.groups * c.blocks * c.fb), 0.0f);
  if (p.bias != nullptr) {
    for (std::int64_t group = 0; group < g.groups; ++group) {
      for (std::int64_t f = 0; f < c.fg; ++f) {
        bias[static_cast<std::size_t>(group * c.blocks * c.fb + f)] = p.bias[group * c.fg + f];
      }
    }
  }
  c.input = p.input;
  c.packed = p.packed;
  c.bias = bias.data();
  c.output = p.output;
  c.activation = p.activation;
  switch (shape.vectors) {
    case 1:
      run_rows<1>(c);
      break;
    case 2:
      run_rows<2>(c);
      break;
    case 3:
      run_rows<3>(c);
      break;
    default:
      run_rows<4>(c);
      break;
  }
}

}  // namespace strider::kernels
