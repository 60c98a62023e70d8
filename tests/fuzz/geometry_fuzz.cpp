// Fuzz target: window geometry built from arbitrary integers, as a hostile model file or command
// line would give them, for Conv2D, depthwise, pooling, transposed convolution and Conv1D.
// Construction must either throw strider::Error or give windows that check out: every field follows
// the padding rule's formula (recomputed here in 128-bit arithmetic), every tap and first_input a
// kernel can compute fits in 64 bits and lies in the padded input, and valid_taps is exactly the
// taps inside the input. Problems small enough to run are then run through every kernel in the
// lists (and the ops' entry points) under ASan and compared with a brute-force oracle written here
// with explicit bounds checks, independent of valid_taps; Conv2D's backward kernels (input and
// filter gradients) against the reference backward kernel.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "fuzz_input.hpp"
#include "kernels/conv2d/conv2d_kernel.hpp"
#include "kernels/conv2d_backward/conv2d_backward_kernel.hpp"
#include "kernels/depthwise/depthwise_kernel.hpp"
#include "kernels/pool2d/pool2d_kernel.hpp"
#include "strider/core/checked.hpp"
#include "strider/core/error.hpp"
#include "strider/core/random.hpp"
#include "strider/geometry/conv2d_geometry.hpp"
#include "strider/geometry/conv2d_transpose_geometry.hpp"
#include "strider/geometry/pool2d_geometry.hpp"
#include "strider/geometry/window.hpp"
#include "strider/ops/conv1d.hpp"
#include "strider/ops/conv2d.hpp"
#include "strider/ops/conv2d_transpose.hpp"
#include "strider/ops/depthwise_conv2d.hpp"
#include "strider/ops/pool2d.hpp"

namespace strider::fuzz {
namespace {

__extension__ typedef __int128 i128;  // -Wpedantic accepts GNU types named this way
constexpr i128 kInt64Min = std::numeric_limits<std::int64_t>::min();
constexpr i128 kInt64Max = std::numeric_limits<std::int64_t>::max();

// Problems at most this large are executed, not just constructed.
constexpr std::int64_t kMaxRunElements = 1 << 12;
constexpr std::int64_t kMaxRunMacs = 1 << 18;

class Checker {
 public:
  explicit Checker(std::string problem) : problem_(std::move(problem)) {}

  void require(bool ok, const char* what) const {
    if (!ok) invariant_failed(what, problem_);
  }

  // Every property of a resolved window, against its spec and input size.
  void window(const Window& w, const WindowSpec& spec, std::int64_t input,
              bool every_window_reads_input) const {
    require(w.input_size() == input, "the window keeps its input size");
    require(w.kernel_size() == spec.kernel_size && w.stride() == spec.stride &&
                w.dilation() == spec.dilation && w.padding_kind() == spec.padding.kind,
            "the window keeps its spec");
    require(spec.kernel_size >= 1 && spec.stride >= 1 && spec.dilation >= 1,
            "kernel, stride and dilation >= 1 were accepted only");
    require(input >= 0 && w.output_size() >= 0 && w.pad_before() >= 0 && w.pad_after() >= 0,
            "sizes and pads are >= 0");
    const i128 in = input, k = spec.kernel_size, s = spec.stride, d = spec.dilation;
    const i128 out = w.output_size(), pb = w.pad_before(), pa = w.pad_after();
    const i128 effective = (k - 1) * d + 1;
    require(effective <= kInt64Max && w.effective_kernel_size() == effective,
            "effective kernel size = (k - 1) * d + 1");
    switch (spec.padding.kind) {
      case PaddingKind::kValid:
        require(pb == 0 && pa == 0, "VALID has no padding");
        require(in >= effective && out == (in - effective) / s + 1,
                "VALID output = floor((in - effective) / stride) + 1");
        break;
      case PaddingKind::kSame: {
        require(out == (in + s - 1) / s, "SAME output = ceil(in / stride)");
        const i128 total = out == 0 ? 0 : std::max<i128>(0, (out - 1) * s + effective - in);
        require(pb == total / 2 && pa == total - pb, "SAME puts the odd pad after");
        break;
      }
      case PaddingKind::kExplicit:
        require(pb == spec.padding.before && pa == spec.padding.after, "explicit pads are kept");
        require(in + pb + pa >= effective && out == (in + pb + pa - effective) / s + 1,
                "explicit output = floor((in + pads - effective) / stride) + 1");
        break;
      case PaddingKind::kCausal:
        require(pb == effective - 1 && pa == 0, "causal pads everything before");
        require(out == (in == 0 ? 0 : (in - 1) / s + 1), "causal output = ceil(in / stride)");
        break;
    }
    if (out == 0) return;
    // The extremes of every tap a kernel can compute: o = 0, j = 0 and o = out - 1, j = k - 1.
    const i128 last = (out - 1) * s - pb + (k - 1) * d;
    require(-pb >= kInt64Min && last <= kInt64Max, "tap arithmetic fits in 64 bits");
    require(last <= in - 1 + pa, "the last window ends inside the padded input");
    require(in + pa <= kInt64Max, "the padded extent fits in 64 bits");
    for (const i128 o : {i128{0}, i128{1}, out / 2, out - 2, out - 1}) {
      if (o >= 0 && o < out) taps(w, static_cast<std::int64_t>(o), every_window_reads_input);
    }
    if (k <= 64 && in <= 256 && out <= 256) reads(w);
  }

  // valid_taps(o) is exactly the taps of output o that land in [0, input).
  void taps(const Window& w, std::int64_t o, bool every_window_reads_input) const {
    const i128 start = static_cast<i128>(o) * w.stride() - w.pad_before();
    const auto tap = [&](std::int64_t j) { return start + static_cast<i128>(j) * w.dilation(); };
    require(w.first_input(o) == start, "first_input(o) = o * stride - pad_before");
    const TapRange r = w.valid_taps(o);
    require(0 <= r.begin && r.begin <= r.end && r.end <= w.kernel_size(),
            "valid taps lie in [0, kernel_size]");
    if (r.begin > 0) require(tap(r.begin - 1) < 0, "taps before valid_taps are before the input");
    if (r.end < w.kernel_size()) {
      require(tap(r.end) >= w.input_size(), "taps after valid_taps are after the input");
    }
    if (r.begin < r.end) {
      require(tap(r.begin) >= 0 && tap(r.end - 1) < w.input_size(), "valid taps read the input");
      require(w.tap(o, r.begin) == tap(r.begin) && w.tap(o, r.end - 1) == tap(r.end - 1),
              "tap(o, j) = o * stride - pad_before + j * dilation");
    }
    if (every_window_reads_input && w.input_size() > 0) {
      require(r.size() > 0, "every pooling window reads at least one input cell");
    }
  }

  // reads_of and unread_inputs against a count over every (output, tap).
  void reads(const Window& w) const {
    std::vector<std::int64_t> count(static_cast<std::size_t>(w.input_size()));
    for (std::int64_t o = 0; o < w.output_size(); ++o) {
      for (std::int64_t j = 0; j < w.kernel_size(); ++j) {
        const i128 i = static_cast<i128>(o) * w.stride() - w.pad_before() +
                       static_cast<i128>(j) * w.dilation();
        if (i >= 0 && i < w.input_size()) ++count[static_cast<std::size_t>(i)];
      }
    }
    std::int64_t unread = 0;
    for (std::int64_t i = 0; i < w.input_size(); ++i) {
      require(w.reads_of(i) == count[static_cast<std::size_t>(i)], "reads_of(i) counts windows");
      unread += count[static_cast<std::size_t>(i)] == 0 ? 1 : 0;
    }
    require(w.unread_inputs() == unread, "unread_inputs counts the cells no window reads");
  }

  // |got - want| within float rounding of a sum whose terms have magnitudes adding to `scale`:
  // at most relative x scale + 1e-6.
  void close(std::span<const float> got, const std::vector<double>& want,
             const std::vector<double>& scale, const char* what, double relative = 1e-5) const {
    require(got.size() == want.size(), what);
    for (std::size_t i = 0; i < got.size(); ++i) {
      require(std::abs(static_cast<double>(got[i]) - want[i]) <= relative * scale[i] + 1e-6, what);
    }
  }

 private:
  std::string problem_;
};

std::string list(std::span<const std::int64_t> values) {
  return fmt::format("{}", fmt::join(values, ","));
}

Shape read_shape(FuzzInput& in, std::size_t rank) {
  Shape shape(rank);
  for (auto& e : shape) e = in.integer();
  return shape;
}

// 1, 2 or 4 values (other counts too, which pair_from_list must refuse).
std::vector<std::int64_t> read_list(FuzzInput& in) {
  std::vector<std::int64_t> values(in.byte() % 6);
  for (auto& v : values) v = in.integer();
  return values;
}

Padding2D read_padding(FuzzInput& in) {
  switch (in.byte() % 3) {
    case 0:
      return Padding2D::valid();
    case 1:
      return Padding2D::same();
    default: {
      const std::int64_t t = in.integer(), b = in.integer(), l = in.integer(), r = in.integer();
      return Padding2D::explicit_pads(t, b, l, r);
    }
  }
}

bool small(std::initializer_list<std::int64_t> element_counts, std::int64_t macs) {
  for (const std::int64_t n : element_counts) {
    if (n > kMaxRunElements) return false;
  }
  return macs <= kMaxRunMacs;
}

Tensor random_tensor(const Shape& shape, Rng& rng) {
  Tensor t(shape);
  rng.fill_uniform(t.values(), -1.0, 1.0);
  return t;
}

// out[n, oh, ow, f] = act(bias[f] + sum input[n, ih, iw, g * cg + c] * filter[kh, kw, c, f]) over
// every tap, each tap's position computed and bounds-checked here.
void conv_oracle(const Conv2DGeometry& g, const Tensor& x, const Tensor& w, const Tensor* bias,
                 Activation act, std::vector<double>& out, std::vector<double>& scale) {
  const Window &wh = g.height, &ww = g.width;
  const std::int64_t cg = g.in_channels_per_group(), fg = g.out_channels_per_group();
  const std::int64_t H = wh.input_size(), W = ww.input_size();
  out.assign(static_cast<std::size_t>(checked_product(g.output_shape(), "oracle")), 0.0);
  scale = out;
  std::size_t i = 0;
  // An empty output (no batch or no filters) may still have 2^40 positions: no loop over them.
  for (std::int64_t n = 0; !out.empty() && n < g.batch; ++n) {
    for (std::int64_t oh = 0; oh < wh.output_size(); ++oh) {
      for (std::int64_t ow = 0; ow < ww.output_size(); ++ow) {
        for (std::int64_t f = 0; f < g.out_channels; ++f, ++i) {
          double sum = bias != nullptr ? bias->data()[f] : 0.0, mag = std::abs(sum);
          for (std::int64_t kh = 0; kh < wh.kernel_size(); ++kh) {
            const std::int64_t ih = oh * wh.stride() - wh.pad_before() + kh * wh.dilation();
            if (ih < 0 || ih >= H) continue;
            for (std::int64_t kw = 0; kw < ww.kernel_size(); ++kw) {
              const std::int64_t iw = ow * ww.stride() - ww.pad_before() + kw * ww.dilation();
              if (iw < 0 || iw >= W) continue;
              for (std::int64_t c = 0; c < cg; ++c) {
                const double p =
                    static_cast<double>(x.at(n, ih, iw, f / fg * cg + c)) * w.at(kh, kw, c, f);
                sum += p;
                mag += std::abs(p);
              }
            }
          }
          out[i] = act == Activation::kRelu ? std::max(sum, 0.0) : sum;
          scale[i] = mag;
        }
      }
    }
  }
}

void run_conv(const Checker& check, const Conv2DGeometry& g, const Tensor& x, const Tensor& w,
              const Tensor* bias, const Conv2DParams& params, Activation act) {
  std::vector<double> want, scale;
  conv_oracle(g, x, w, bias, act, want, scale);
  for (const kernels::Conv2DKernel& k : kernels::conv2d_kernels()) {
    if (!k.supports(g)) continue;
    const Tensor got = conv2d(x, w, bias, {params, act, k.name});
    check.require(got.shape() == g.output_shape(), "conv2d output shape = geometry's");
    check.close(got.values(), want, scale, "every conv2d kernel matches the oracle");
  }
}

std::vector<double> as_doubles(const Tensor& t) { return {t.values().begin(), t.values().end()}; }

Tensor absolute(const Tensor& t) {
  Tensor out = t;
  for (float& v : out.values()) v = std::abs(v);
  return out;
}

// Every Conv2D backward kernel (input and filter gradients) that supports g, against the
// reference kernel (which the unit tests hold to TensorFlow's gradients), with the reference run
// on magnitudes as the scale: the backward kernels walk the same geometry in other orders.
void run_conv_backward(const Checker& check, const Conv2DGeometry& g, const Tensor& x,
                       const Tensor& w, Rng& rng) {
  const Tensor dy = random_tensor(g.output_shape(), rng);
  const auto input_of = [&](const kernels::Conv2DBackwardInputKernel& k, const Tensor& grad,
                            const Tensor& filter) {
    Tensor dx(g.input_shape());
    k.run({g, grad.data(), filter.data(), dx.data()});
    return dx;
  };
  const auto filter_of = [&](const kernels::Conv2DBackwardFilterKernel& k, const Tensor& input,
                             const Tensor& grad) {
    Tensor dw(g.filter_shape());
    k.run({g, input.data(), grad.data(), dw.data()});
    return dw;
  };
  const auto& input_ref = kernels::conv2d_backward_input_kernels().back();
  const auto& filter_ref = kernels::conv2d_backward_filter_kernels().back();
  const std::vector<double> want_dx = as_doubles(input_of(input_ref, dy, w));
  const std::vector<double> scale_dx = as_doubles(input_of(input_ref, absolute(dy), absolute(w)));
  const std::vector<double> want_dw = as_doubles(filter_of(filter_ref, x, dy));
  const std::vector<double> scale_dw = as_doubles(filter_of(filter_ref, absolute(x), absolute(dy)));
  for (const auto& k : kernels::conv2d_backward_input_kernels()) {
    if (!k.supports(g)) continue;
    check.close(input_of(k, dy, w).values(), want_dx, scale_dx,
                "every conv2d input-gradient kernel matches the reference", 1e-4);
  }
  for (const auto& k : kernels::conv2d_backward_filter_kernels()) {
    if (!k.supports(g)) continue;
    check.close(filter_of(k, x, dy).values(), want_dw, scale_dw,
                "every conv2d filter-gradient kernel matches the reference", 1e-4);
  }
}

void conv2d_case(FuzzInput& in, Rng& rng) {
  const Shape input = read_shape(in, 4), filter = read_shape(in, 4);
  Conv2DParams params;
  const std::vector<std::int64_t> strides = read_list(in), dilation = read_list(in);
  params.padding = read_padding(in);
  params.groups = in.integer();
  const bool bias = in.byte() & 1;
  const Activation act = in.byte() & 1 ? Activation::kRelu : Activation::kLinear;
  const Checker check(
      fmt::format("conv2d input {} filter {} strides ({}) dilation ({}) padding {} groups {}",
                  format_shape(input), format_shape(filter), list(strides), list(dilation),
                  params.padding.to_string(), params.groups));
  params.strides = pair_from_list(strides, "strides");
  params.dilation = pair_from_list(dilation, "dilation");
  const Conv2DGeometry g = Conv2DGeometry::make(input, filter, params);

  check.require(g.batch == input[0] && g.in_channels == input[3] && g.out_channels == filter[3] &&
                    g.groups == params.groups,
                "conv2d keeps batch, channels and groups");
  check.require(g.groups >= 1 && g.in_channels % g.groups == 0 && g.out_channels % g.groups == 0 &&
                    static_cast<i128>(filter[2]) * g.groups == g.in_channels,
                "groups divide the channels and filter in-channels * groups = input channels");
  check.window(g.height, {filter[0], params.strides.h, params.dilation.h, params.padding.height()},
               input[1], false);
  check.window(g.width, {filter[1], params.strides.w, params.dilation.w, params.padding.width()},
               input[2], false);
  check.require(g.output_shape() ==
                    Shape({input[0], g.height.output_size(), g.width.output_size(), filter[3]}),
                "conv2d output shape");
  const std::int64_t out = shape_size(g.output_shape());
  const std::int64_t macs = g.macs();
  g.params(true);
  if (!small({shape_size(input), shape_size(filter), out}, macs)) return;
  const Tensor x = random_tensor(input, rng), w = random_tensor(filter, rng);
  const Tensor b = random_tensor({filter[3]}, rng);
  run_conv(check, g, x, w, bias ? &b : nullptr, params, act);
  run_conv_backward(check, g, x, w, rng);
}

void depthwise_case(FuzzInput& in, Rng& rng) {
  const Shape input = read_shape(in, 4), filter = read_shape(in, 4);
  const std::vector<std::int64_t> strides = read_list(in), dilation = read_list(in);
  DepthwiseConv2DOptions options;
  options.padding = read_padding(in);
  const Checker check(fmt::format(
      "depthwise input {} filter {} strides ({}) dilation ({}) padding {}", format_shape(input),
      format_shape(filter), list(strides), list(dilation), options.padding.to_string()));
  options.strides = pair_from_list(strides, "strides");
  options.dilation = pair_from_list(dilation, "dilation");
  const Conv2DParams params{options.strides, options.dilation, options.padding, 1};
  const Conv2DGeometry g = Conv2DGeometry::make_depthwise(input, filter, params);
  check.require(g.groups == input[3] && g.in_channels == input[3] &&
                    static_cast<i128>(g.out_channels) == static_cast<i128>(filter[2]) * filter[3],
                "depthwise is grouped with groups = channels, out = C * multiplier");
  check.window(g.height,
               {filter[0], options.strides.h, options.dilation.h, options.padding.height()},
               input[1], false);
  check.window(g.width, {filter[1], options.strides.w, options.dilation.w, options.padding.width()},
               input[2], false);
  const std::int64_t out = shape_size(g.output_shape());
  if (!small({shape_size(input), shape_size(filter), out}, g.macs())) return;
  const Tensor x = random_tensor(input, rng), w = random_tensor(filter, rng);
  std::vector<double> want, scale;
  // The oracle reads the [kh, kw, C, M] filter as the HWIO filter [kh, kw, 1, C * M] it equals.
  conv_oracle(g, x, w.reshaped(g.filter_shape()), nullptr, Activation::kLinear, want, scale);
  for (const kernels::DepthwiseKernel& k : kernels::depthwise_kernels()) {
    if (!k.supports(g)) continue;
    options.kernel = k.name;
    const Tensor got = depthwise_conv2d(x, w, nullptr, options);
    check.close(got.values(), want, scale, "every depthwise kernel matches the oracle");
  }
}

void pool_case(FuzzInput& in, Rng& rng) {
  const Shape input = read_shape(in, 4);
  const std::vector<std::int64_t> pool = read_list(in);
  const bool has_strides = in.byte() & 1;
  const std::vector<std::int64_t> strides =
      has_strides ? read_list(in) : std::vector<std::int64_t>{};
  Pool2DParams params;
  params.padding = read_padding(in);
  const Checker check(
      fmt::format("pool input {} pool ({}) strides ({}) padding {}", format_shape(input),
                  list(pool), has_strides ? list(strides) : "default", params.padding.to_string()));
  params.pool_size = pair_from_list(pool, "pool");
  if (has_strides) params.strides = pair_from_list(strides, "strides");
  const Pool2DGeometry g = Pool2DGeometry::make(input, params);
  const Pair2D s = params.effective_strides();
  // Average pooling divides by the number of real taps: there must always be one.
  check.window(g.height, {params.pool_size.h, s.h, 1, params.padding.height()}, input[1], true);
  check.window(g.width, {params.pool_size.w, s.w, 1, params.padding.width()}, input[2], true);
  const std::int64_t out = shape_size(g.output_shape());
  if (!small({shape_size(input), out}, g.ops())) return;
  const Tensor x = random_tensor(input, rng);
  for (const PoolOp op : {PoolOp::kMax, PoolOp::kAvg}) {
    std::vector<double> want(static_cast<std::size_t>(out)), scale(want.size());
    std::size_t i = 0;
    // An empty output (no batch or no channels) may still have 2^40 positions: no oracle loop.
    for (std::int64_t n = 0; out > 0 && n < g.batch; ++n) {
      for (std::int64_t oh = 0; oh < g.height.output_size(); ++oh) {
        for (std::int64_t ow = 0; ow < g.width.output_size(); ++ow) {
          for (std::int64_t c = 0; c < g.channels; ++c, ++i) {
            double best = -INFINITY, sum = 0, count = 0;
            // Only the taps inside the input: a window of 2^40 cells over a 3-pixel input must
            // not cost 2^40 steps here (found by this fuzzer as a timeout).
            const std::int64_t top = oh * s.h - g.height.pad_before();
            const std::int64_t left = ow * s.w - g.width.pad_before();
            const std::int64_t kh_end = std::min(g.height.kernel_size(), input[1] - top);
            const std::int64_t kw_end = std::min(g.width.kernel_size(), input[2] - left);
            for (std::int64_t kh = std::max<std::int64_t>(0, -top); kh < kh_end; ++kh) {
              const std::int64_t ih = top + kh;
              for (std::int64_t kw = std::max<std::int64_t>(0, -left); kw < kw_end; ++kw) {
                const std::int64_t iw = left + kw;
                const double v = x.at(n, ih, iw, c);
                best = std::max(best, v);
                sum += v;
                count += 1;
              }
            }
            want[i] = op == PoolOp::kMax ? best : sum / count;
            scale[i] = 1.0;
          }
        }
      }
    }
    for (const kernels::Pool2DKernel& k : kernels::pool2d_kernels()) {
      if (!k.supports(g)) continue;
      const Tensor got = pool2d(op, x, {params, k.name});
      check.close(got.values(), want, scale, "every pooling kernel matches the oracle");
    }
  }
}

void transpose_case(FuzzInput& in, Rng& rng) {
  const Shape input = read_shape(in, 4), filter = read_shape(in, 4);
  const std::vector<std::int64_t> strides = read_list(in), dilation = read_list(in);
  Conv2DTransposeOptions options;
  Conv2DTransposeParams& params = options.params;
  params.padding = read_padding(in);
  const std::uint8_t extras = in.byte();
  if (extras & 1) params.output_padding = Pair2D{in.integer(), in.integer()};
  if (extras & 2) params.output_size = Pair2D{in.integer(), in.integer()};
  const Checker check(fmt::format(
      "conv_transpose input {} filter {} strides ({}) dilation ({}) padding {} output_padding "
      "{} output_size {}",
      format_shape(input), format_shape(filter), list(strides), list(dilation),
      params.padding.to_string(),
      params.output_padding
          ? fmt::format("{},{}", params.output_padding->h, params.output_padding->w)
          : "none",
      params.output_size ? fmt::format("{},{}", params.output_size->h, params.output_size->w)
                         : "none"));
  params.strides = pair_from_list(strides, "strides");
  params.dilation = pair_from_list(dilation, "dilation");
  const Conv2DTransposeGeometry g = Conv2DTransposeGeometry::make(input, filter, params);
  // The forward windows run over the output; their output extent is the input's.
  const WindowSpec sh{filter[0], params.strides.h, params.dilation.h, params.padding.height()};
  const WindowSpec sw{filter[1], params.strides.w, params.dilation.w, params.padding.width()};
  check.require(g.height.output_size() == input[1] && g.width.output_size() == input[2],
                "the forward windows over the output give back the input extent");
  check.window(g.height, sh, g.height.input_size(), false);
  check.window(g.width, sw, g.width.input_size(), false);
  check.require(inverse_sizes(input[1], sh, "fuzz", "height").contains(g.height.input_size()) &&
                    inverse_sizes(input[2], sw, "fuzz", "width").contains(g.width.input_size()),
                "the output size is one that maps back to the input");
  if (params.output_size) {
    check.require(g.height.input_size() == params.output_size->h &&
                      g.width.input_size() == params.output_size->w,
                  "an explicit output size is kept");
  }
  const Shape out_shape = g.output_shape();
  const std::int64_t out = shape_size(out_shape);
  if (!small({shape_size(input), shape_size(filter), out}, g.macs())) return;
  const Tensor x = random_tensor(input, rng), w = random_tensor(filter, rng);
  std::vector<double> want(static_cast<std::size_t>(out)), scale(want.size());
  const std::int64_t OH = out_shape[1], OW = out_shape[2], CO = out_shape[3];
  // With an empty input, filter or output, extents of 2^40 may remain: no loop over them.
  const bool any = out > 0 && shape_size(input) > 0 && shape_size(filter) > 0;
  for (std::int64_t n = 0; any && n < input[0]; ++n) {
    for (std::int64_t ih = 0; ih < input[1]; ++ih) {
      for (std::int64_t iw = 0; iw < input[2]; ++iw) {
        for (std::int64_t kh = 0; kh < filter[0]; ++kh) {
          const std::int64_t oh = ih * sh.stride - g.height.pad_before() + kh * sh.dilation;
          if (oh < 0 || oh >= OH) continue;
          for (std::int64_t kw = 0; kw < filter[1]; ++kw) {
            const std::int64_t ow = iw * sw.stride - g.width.pad_before() + kw * sw.dilation;
            if (ow < 0 || ow >= OW) continue;
            for (std::int64_t co = 0; co < CO; ++co) {
              const auto at = static_cast<std::size_t>(((n * OH + oh) * OW + ow) * CO + co);
              for (std::int64_t ci = 0; ci < input[3]; ++ci) {
                const double p = static_cast<double>(x.at(n, ih, iw, ci)) * w.at(kh, kw, co, ci);
                want[at] += p;
                scale[at] += std::abs(p);
              }
            }
          }
        }
      }
    }
  }
  const Tensor got = conv2d_transpose(x, w, nullptr, options);
  check.require(got.shape() == out_shape, "conv2d_transpose output shape = geometry's");
  check.close(got.values(), want, scale, "conv2d_transpose matches the scatter oracle");
}

void conv1d_case(FuzzInput& in, Rng& rng) {
  const Shape input = read_shape(in, 3), filter = read_shape(in, 3);
  Conv1DOptions options;
  options.stride = in.integer();
  options.dilation = in.integer();
  switch (in.byte() % 4) {
    case 0:
      options.padding = {PaddingKind::kValid};
      break;
    case 1:
      options.padding = {PaddingKind::kSame};
      break;
    case 2:
      options.padding = {PaddingKind::kCausal};
      break;
    default:
      options.padding = {PaddingKind::kExplicit, in.integer(), in.integer()};
  }
  options.groups = in.integer();
  const Checker check(
      fmt::format("conv1d input {} filter {} stride {} dilation {} padding {} "
                  "({},{}) groups {}",
                  format_shape(input), format_shape(filter), options.stride, options.dilation,
                  padding_kind_name(options.padding.kind), options.padding.before,
                  options.padding.after, options.groups));
  // Geometry first (the op would need tensors of these shapes); the op only for small problems.
  const WindowSpec spec{filter[0], options.stride, options.dilation, options.padding};
  const Window w = Window::make(input[1], spec, "conv1d", "length");
  check.window(w, spec, input[1], false);
  const Conv2DParams params{
      {1, options.stride},
      {1, options.dilation},
      {options.padding.kind, 0, 0, options.padding.before, options.padding.after},
      options.groups};
  const Shape input2d{input[0], 1, input[1], input[2]},
      filter2d{1, filter[0], filter[1], filter[2]};
  const Conv2DGeometry g = Conv2DGeometry::make(input2d, filter2d, params, "conv1d");
  const std::int64_t out = shape_size(g.output_shape());
  if (!small({shape_size(input), shape_size(filter), out}, g.macs())) return;
  const Tensor x = random_tensor(input, rng), f = random_tensor(filter, rng);
  const Tensor got = conv1d(x, f, nullptr, options);
  check.require(got.shape() == Shape({input[0], w.output_size(), filter[2]}),
                "conv1d output shape = the length window's");
  std::vector<double> want, scale;
  conv_oracle(g, x.reshaped(input2d), f.reshaped(filter2d), nullptr, Activation::kLinear, want,
              scale);
  check.close(got.values(), want, scale, "conv1d matches the oracle");
}

}  // namespace
}  // namespace strider::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace strider::fuzz;
  FuzzInput in({data, size});
  const std::uint8_t op = in.byte();
  strider::Rng rng(in.byte());
  try {
    switch (op % 5) {
      case 0:
        conv2d_case(in, rng);
        break;
      case 1:
        depthwise_case(in, rng);
        break;
      case 2:
        pool_case(in, rng);
        break;
      case 3:
        transpose_case(in, rng);
        break;
      default:
        conv1d_case(in, rng);
        break;
    }
  } catch (const strider::Error&) {
    // Refusing is always allowed; crashing, another exception or a wrong window is not.
  }
  return 0;
}
