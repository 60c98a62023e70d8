#include "strider/analysis/lint.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <numeric>
#include <optional>
#include <utility>

#include "strider/analysis/receptive_field.hpp"

namespace strider::analysis {
namespace {

using model::LayerKind;
using model::LayerSpec;
using model::ResolvedLayer;

// One flag per position of one spatial axis.
using Mask = std::vector<char>;

struct Masks {
  Mask h, w;
};

// The spatial extents of a tensor without its batch axis: (H, W, C) -> H x W; a 1-D (L, C) -> 1 x
// L; (units) -> 1 x 1.
struct Plane {
  std::int64_t h = 1, w = 1;
  bool operator==(const Plane&) const = default;
};

Plane plane_of(const Shape& s) {
  if (s.size() == 3) return {s[0], s[1]};
  if (s.size() == 2) return {1, s[0]};
  return {};
}

std::size_t to_size(std::int64_t n) { return static_cast<std::size_t>(n); }

Masks filled(Plane p, bool value) {
  return {Mask(to_size(p.h), value ? 1 : 0), Mask(to_size(p.w), value ? 1 : 0)};
}

std::int64_t count(const Mask& m) { return std::count(m.begin(), m.end(), char{1}); }
bool any(const Mask& m) { return std::find(m.begin(), m.end(), char{1}) != m.end(); }
bool any(const Masks& m) { return any(m.h) && any(m.w); }

void merge_into(Mask& into, const Mask& from) {
  for (std::size_t i = 0; i < into.size() && i < from.size(); ++i) into[i] |= from[i];
}

// Output o is set when one of its taps reads a set input position: data flowing forward through
// a window, or (for Conv2DTranspose, whose windows run over its output) use flowing backward.
Mask through_windows(const Window& w, const Mask& in) {
  Mask out(to_size(w.output_size()), 0);
  for (std::int64_t o = 0; o < w.output_size(); ++o) {
    const TapRange taps = w.valid_taps(o);
    for (std::int64_t j = taps.begin; j < taps.end && !out[to_size(o)]; ++j) {
      out[to_size(o)] = in[to_size(w.tap(o, j))];
    }
  }
  return out;
}

// Input position i is set when a set output reads it: the reverse of through_windows.
Mask against_windows(const Window& w, const Mask& out) {
  Mask in(to_size(w.input_size()), 0);
  for (std::int64_t o = 0; o < w.output_size(); ++o) {
    if (!out[to_size(o)]) continue;
    const TapRange taps = w.valid_taps(o);
    for (std::int64_t j = taps.begin; j < taps.end; ++j) in[to_size(w.tap(o, j))] = 1;
  }
  return in;
}

// out[t] = in[t - offset] where that is inside `in`, else `outside`.
Mask shifted(const Mask& in, std::int64_t offset, std::int64_t size, char outside) {
  Mask out(to_size(size), outside);
  for (std::int64_t t = 0; t < size; ++t) {
    const std::int64_t i = t - offset;
    if (i >= 0 && i < static_cast<std::int64_t>(in.size())) out[to_size(t)] = in[to_size(i)];
  }
  return out;
}

// The spatial axis a Concatenate joins along: 0 height, 1 width (or a 1-D length), -1 channels.
int concat_axis(const LayerSpec& spec, std::size_t rank) {
  const auto r = static_cast<std::int64_t>(rank);
  // Keras counts the batch axis, as resolve() does.
  const std::int64_t axis = spec.axis < 0 ? r + spec.axis : spec.axis - 1;
  if (rank == 3 && (axis == 0 || axis == 1)) return static_cast<int>(axis);
  if (rank == 2 && axis == 0) return 1;
  return -1;
}

bool is_transparent(const LayerSpec& spec, const ResolvedLayer& layer) {
  switch (spec.kind) {
    case LayerKind::kBatchNorm:
    case LayerKind::kActivation:
    case LayerKind::kDropout:
    case LayerKind::kZeroPadding2D:
    case LayerKind::kCropping2D:
      return true;
    case LayerKind::kDense:  // per position on a map
      return layer.output_shape.size() >= 2;
    default:
      return false;
  }
}

bool is_head(LayerKind kind) {
  switch (kind) {
    case LayerKind::kFlatten:
    case LayerKind::kGlobalMaxPool1D:
    case LayerKind::kGlobalAvgPool1D:
    case LayerKind::kGlobalMaxPool2D:
    case LayerKind::kGlobalAvgPool2D:
      return true;
    default:
      return false;
  }
}

bool is_pooling(LayerKind kind) {
  return kind == LayerKind::kMaxPool1D || kind == LayerKind::kAvgPool1D ||
         kind == LayerKind::kMaxPool2D || kind == LayerKind::kAvgPool2D;
}

std::string percent(std::int64_t part, std::int64_t whole) {
  return fmt::format(
      "{:.1f}%", whole > 0 ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0);
}

// The positions where `m` is 0, as ranges: "29-31", "0, 2, 4, 6, ...".
std::string unset_ranges(const Mask& m) {
  constexpr std::size_t kShown = 4;
  std::vector<std::string> parts;
  const auto n = static_cast<std::int64_t>(m.size());
  for (std::int64_t i = 0; i < n;) {
    if (m[to_size(i)]) {
      ++i;
      continue;
    }
    if (parts.size() == kShown) {
      parts.emplace_back("...");
      break;
    }
    std::int64_t end = i;
    while (end + 1 < n && !m[to_size(end + 1)]) ++end;
    parts.push_back(end == i ? fmt::format("{}", i) : fmt::format("{}-{}", i, end));
    i = end + 1;
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

// "kernel 3" or "dilated kernel 5 (kernel 3, dilation 2)".
std::string kernel_text(const Window& w, std::string_view word) {
  if (w.dilation() == 1) return fmt::format("{} {}", word, w.kernel_size());
  return fmt::format("dilated {} {} ({} {}, dilation {})", word, w.effective_kernel_size(), word,
                     w.kernel_size(), w.dilation());
}

// One per-axis clause of a message, with the axis noun ("rows") in front; clauses that differ only
// in the noun are written once ("rows and columns each: ...").
struct Clause {
  std::string noun;
  std::string text;
};

std::string join_clauses(const std::vector<Clause>& clauses) {
  if (clauses.size() == 2 && clauses[0].text == clauses[1].text) {
    return fmt::format("{} and {} each: {}", clauses[0].noun, clauses[1].noun, clauses[0].text);
  }
  std::vector<std::string> parts;
  for (const Clause& c : clauses) parts.push_back(fmt::format("{}: {}", c.noun, c.text));
  return fmt::format("{}", fmt::join(parts, "; "));
}

// The window of `spec` on another input size, or nullopt where it does not fit.
std::optional<Window> resized(const Window& w, std::int64_t input_size) {
  if (input_size < 1) return std::nullopt;
  const WindowSpec spec{w.kernel_size(), w.stride(), w.dilation(), {w.padding_kind(), 0, 0}};
  if (w.padding_kind() == PaddingKind::kValid && input_size < w.effective_kernel_size()) {
    return std::nullopt;
  }
  return Window::make(input_size, spec, "lint", "axis");
}

// The nearest input sizes below and above the window's own that satisfy `fits`, searched within
// `reach` cells.
std::pair<std::optional<std::int64_t>, std::optional<std::int64_t>> nearest_sizes(
    const Window& w, std::int64_t reach, bool (*fits)(const Window&)) {
  std::optional<std::int64_t> below, above;
  for (std::int64_t d = 1; d <= reach && !below; ++d) {
    const std::optional<Window> c = resized(w, w.input_size() - d);
    if (c && fits(*c)) below = c->input_size();
  }
  for (std::int64_t d = 1; d <= reach && !above; ++d) {
    const std::optional<Window> c = resized(w, w.input_size() + d);
    if (c && fits(*c)) above = c->input_size();
  }
  return {below, above};
}

// "9 or 11 rows", "11 rows".
std::string sizes_text(const std::pair<std::optional<std::int64_t>, std::optional<std::int64_t>>& s,
                       std::string_view noun) {
  if (s.first && s.second) return fmt::format("{} or {} {}", *s.first, *s.second, noun);
  if (s.first || s.second) return fmt::format("{} {}", s.first ? *s.first : *s.second, noun);
  return {};
}

// The last window ends on the last input position.
bool ends_at_edge(const Window& w) {
  return w.tap(w.output_size() - 1, w.kernel_size() - 1) == w.input_size() - 1;
}

bool symmetric(const Window& w) { return w.pad_before() == w.pad_after(); }

// A stack of sliding layers seen along one axis: the input offsets, relative to the first tap,
// that one output of the stack reads (its receptive field with holes), with and without the
// dilations. Offsets of a stack extend those of the stack below it, so each layer costs one step.
// Fields wider than kMaxField are not followed (null).
constexpr std::int64_t kMaxField = std::int64_t{1} << 16;

struct StackAxis {
  std::shared_ptr<const Mask> with, without;
  std::int64_t jump = 1;  // input positions between neighbouring outputs of the stack
  int dilated = 0;        // layers with a dilated kernel of more than one tap
};

StackAxis stack_base() {
  const auto one = std::make_shared<const Mask>(Mask{1});
  return {one, one, 1, 0};
}

std::shared_ptr<const Mask> extended(const std::shared_ptr<const Mask>& offsets, std::int64_t taps,
                                     std::int64_t step) {
  if (!offsets || taps == 1) return offsets;
  const auto size = static_cast<std::int64_t>(offsets->size());
  if (step > kMaxField || (taps - 1) * step > kMaxField - size) return nullptr;
  auto next = std::make_shared<Mask>(to_size(size + (taps - 1) * step), 0);
  for (std::int64_t a = 0; a < size; ++a) {
    if (!(*offsets)[to_size(a)]) continue;
    for (std::int64_t j = 0; j < taps; ++j) (*next)[to_size(a + j * step)] = 1;
  }
  return next;
}

StackAxis extended(const StackAxis& below, const Window& w) {
  StackAxis s;
  s.with = extended(below.with, w.kernel_size(), w.dilation() * below.jump);
  s.without = extended(below.without, w.kernel_size(), below.jump);
  s.jump = std::min(below.jump * w.stride(), kMaxField + 1);
  s.dilated = below.dilated + (w.dilation() > 1 && w.kernel_size() > 1 ? 1 : 0);
  return s;
}

bool has_holes(const Mask& m) { return std::find(m.begin(), m.end(), char{0}) != m.end(); }

class Linter {
 public:
  explicit Linter(const model::ResolvedModel& model)
      : model_(model), layers_(model.architecture.layers), fields_(receptive_fields(model)) {}

  std::vector<Finding> run() {
    find_data();
    find_use();
    for (std::size_t i = 0; i < layers_.size(); ++i) {
      if (is_sliding(i)) {
        window_losses(i);
        asymmetric_same(i);
      }
      if (layers_[i].kind == LayerKind::kConv2DTranspose) checkerboard(i);
    }
    gridding();
    collapsed_early();
    small_receptive_field();
    input_unread();
    std::stable_sort(found_.begin(), found_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<Finding> out;
    for (auto& f : found_) out.push_back(std::move(f.second));
    return out;
  }

 private:
  const ResolvedLayer& resolved(std::size_t i) const { return model_.layers[i]; }

  // Layers whose forward windows slide over their input (not Conv2DTranspose, whose windows run
  // over its output).
  bool is_sliding(std::size_t i) const {
    return resolved(i).height && resolved(i).width &&
           layers_[i].kind != LayerKind::kConv2DTranspose;
  }

  const Window& window(std::size_t i, int axis) const {
    return axis == 0 ? *resolved(i).height : *resolved(i).width;
  }

  // 1-D layers have one real axis (the width); their height window is trivial.
  bool one_d(std::size_t i) const { return resolved(i).output_shape.size() == 2; }
  std::vector<int> axes(std::size_t i) const {
    return one_d(i) ? std::vector<int>{1} : std::vector<int>{0, 1};
  }
  std::string noun(std::size_t i, int axis) const {
    return one_d(i) ? "positions" : axis == 0 ? "rows" : "columns";
  }
  std::string units(std::size_t i) const { return one_d(i) ? "positions" : "pixels"; }

  void report(std::size_t i, Severity severity, std::string rule, std::string message,
              std::string suggestion) {
    found_.push_back({i, Finding{severity, std::move(rule), layers_[i].name, std::move(message),
                                 std::move(suggestion)}});
  }

  // data_[i]: the rows and columns of layer i's output that depend on some model input pixel
  // (ZeroPadding2D adds rows that do not).
  void find_data() {
    data_.resize(layers_.size());
    for (std::size_t i = 0; i < layers_.size(); ++i) data_[i] = data_of(i);
  }

  Masks data_of(std::size_t i) const {
    const LayerSpec& spec = layers_[i];
    const ResolvedLayer& layer = resolved(i);
    const Plane out = plane_of(layer.output_shape);
    if (spec.kind == LayerKind::kInput) return filled(out, true);
    const Masks& in = data_[layer.inputs.front()];
    switch (spec.kind) {
      case LayerKind::kConv2DTranspose:
        return {against_windows(*layer.height, in.h), against_windows(*layer.width, in.w)};
      case LayerKind::kZeroPadding2D:
        return {shifted(in.h, spec.padding.top, out.h, 0),
                shifted(in.w, spec.padding.left, out.w, 0)};
      case LayerKind::kCropping2D:
        return {shifted(in.h, -spec.padding.top, out.h, 0),
                shifted(in.w, -spec.padding.left, out.w, 0)};
      case LayerKind::kUpSampling2D: {
        Masks m = filled(out, false);
        for (std::int64_t t = 0; t < out.h; ++t) m.h[to_size(t)] = in.h[to_size(t / spec.size.h)];
        for (std::int64_t t = 0; t < out.w; ++t) m.w[to_size(t)] = in.w[to_size(t / spec.size.w)];
        return m;
      }
      default:
        break;
    }
    if (spec.kind == LayerKind::kConcatenate) {
      const int axis = concat_axis(spec, layer.output_shape.size());
      if (axis >= 0) {
        Masks m = filled(out, false);
        Mask& joined = axis == 0 ? m.h : m.w;
        joined.clear();
        for (const std::size_t p : layer.inputs) {
          const Mask& part = axis == 0 ? data_[p].h : data_[p].w;
          joined.insert(joined.end(), part.begin(), part.end());
          merge_into(axis == 0 ? m.w : m.h, axis == 0 ? data_[p].w : data_[p].h);
        }
        return m;
      }
    }
    if (is_sliding(i))
      return {through_windows(*layer.height, in.h), through_windows(*layer.width, in.w)};
    Masks m = filled(out, false);
    for (const std::size_t p : layer.inputs) {
      if (plane_of(resolved(p).output_shape) == out) {
        merge_into(m.h, data_[p].h);
        merge_into(m.w, data_[p].w);
      } else if (any(data_[p])) {
        m = filled(out, true);  // global pooling, Flatten: every output sees every position
      }
    }
    return m;
  }

  // use_[i]: the rows and columns of layer i's output that some model output depends on.
  void find_use() {
    use_.resize(layers_.size());
    for (std::size_t i = 0; i < layers_.size(); ++i) {
      use_[i] = filled(plane_of(resolved(i).output_shape), false);
    }
    std::vector<std::string> outputs = model_.architecture.outputs;
    if (outputs.empty()) outputs.push_back(layers_.back().name);
    for (const std::string& name : outputs) {
      const std::size_t o = model_.architecture.index_of(name);
      use_[o] = filled(plane_of(resolved(o).output_shape), true);
    }
    for (std::size_t i = layers_.size(); i-- > 0;) {
      if (!any(use_[i])) continue;
      const std::vector<std::size_t>& inputs = resolved(i).inputs;
      for (std::size_t k = 0; k < inputs.size(); ++k) {
        const Masks used = use_of_input(i, k);
        merge_into(use_[inputs[k]].h, used.h);
        merge_into(use_[inputs[k]].w, used.w);
      }
    }
  }

  // The rows and columns of input k of layer i that the used outputs of layer i depend on.
  Masks use_of_input(std::size_t i, std::size_t k) const {
    const LayerSpec& spec = layers_[i];
    const ResolvedLayer& layer = resolved(i);
    const Masks& u = use_[i];
    const Plane in = plane_of(layer.input_shapes[k]);
    switch (spec.kind) {
      case LayerKind::kConv2DTranspose:
        return {through_windows(*layer.height, u.h), through_windows(*layer.width, u.w)};
      case LayerKind::kZeroPadding2D:
        return {shifted(u.h, -spec.padding.top, in.h, 0),
                shifted(u.w, -spec.padding.left, in.w, 0)};
      case LayerKind::kCropping2D:
        // The rows a crop removes count as used: cropping is asked for by name, not a window's
        // side effect.
        return {shifted(u.h, spec.padding.top, in.h, 1), shifted(u.w, spec.padding.left, in.w, 1)};
      case LayerKind::kUpSampling2D: {
        Masks m = filled(in, false);
        for (std::size_t t = 0; t < u.h.size(); ++t) {
          m.h[t / to_size(spec.size.h)] |= u.h[t];
        }
        for (std::size_t t = 0; t < u.w.size(); ++t) {
          m.w[t / to_size(spec.size.w)] |= u.w[t];
        }
        return m;
      }
      default:
        break;
    }
    if (spec.kind == LayerKind::kConcatenate) {
      const int axis = concat_axis(spec, layer.output_shape.size());
      if (axis >= 0) {
        std::int64_t offset = 0;
        for (std::size_t p = 0; p < k; ++p) {
          offset +=
              axis == 0 ? plane_of(layer.input_shapes[p]).h : plane_of(layer.input_shapes[p]).w;
        }
        return axis == 0 ? Masks{shifted(u.h, -offset, in.h, 0), u.w}
                         : Masks{u.h, shifted(u.w, -offset, in.w, 0)};
      }
    }
    if (is_sliding(i))
      return {against_windows(*layer.height, u.h), against_windows(*layer.width, u.w)};
    if (in == plane_of(layer.output_shape)) return u;
    return filled(in, true);
  }

  // stride-exceeds-kernel, dilation-stride-gaps and valid-drops-border of one sliding layer.
  void window_losses(std::size_t i) {
    const Masks& data = data_[resolved(i).inputs.front()];
    struct Axis {
      std::int64_t data = 0, gaps = 0, border = 0;
    };
    Axis loss[2];
    for (const int a : axes(i)) {
      const Window& w = window(i, a);
      const Mask& d = a == 0 ? data.h : data.w;
      const bool drops_border =
          w.padding_kind() == PaddingKind::kValid || w.padding_kind() == PaddingKind::kExplicit;
      for (std::int64_t p = 0; p < w.input_size(); ++p) {
        if (!d[to_size(p)]) continue;
        ++loss[a].data;
        if (w.reads_of(p) > 0) continue;
        // VALID drops the positions that one more window (output_size()) would have read.
        bool next_reads = false;
        for (std::int64_t j = 0; j < w.kernel_size(); ++j) {
          next_reads = next_reads || w.tap(w.output_size(), j) == p;
        }
        ++(drops_border && next_reads ? loss[a].border : loss[a].gaps);
      }
    }
    if (one_d(i)) loss[0] = {1, 0, 0};
    const auto pixels = [&](std::int64_t lost_h, std::int64_t lost_w) {
      const std::int64_t all = loss[0].data * loss[1].data;
      const std::int64_t lost = all - (loss[0].data - lost_h) * (loss[1].data - lost_w);
      return std::pair{lost, all};
    };
    const bool padded =
        loss[0].data < window(i, 0).input_size() || loss[1].data < window(i, 1).input_size();
    const std::string padding_note = padded ? " (zero padding not counted)" : "";
    const std::string word = is_pooling(layers_[i].kind) ? "pool" : "kernel";

    // Gaps between windows: stride > effective kernel, or dilated taps that skip positions.
    for (const bool wide_stride : {true, false}) {
      std::vector<Clause> clauses;
      std::int64_t lost[2] = {0, 0};
      for (const int a : axes(i)) {
        const Window& w = window(i, a);
        if (loss[a].gaps == 0 || (w.stride() > w.effective_kernel_size()) != wide_stride) continue;
        lost[a] = loss[a].gaps;
        const std::string cause =
            wide_stride ? fmt::format("stride {} > {}", w.stride(), kernel_text(w, word))
                        : fmt::format("stride {} with {}", w.stride(), kernel_text(w, word));
        clauses.push_back({noun(i, a), fmt::format("{}, {} of {} never read", cause, loss[a].gaps,
                                                   loss[a].data)});
      }
      if (clauses.empty()) continue;
      const auto [n, all] = pixels(lost[0], lost[1]);
      const std::string message =
          fmt::format("{}; {} of {} input {} ({}) are read by no window{}", join_clauses(clauses),
                      n, all, units(i), percent(n, all), padding_note);
      if (wide_stride) {
        report(i, Severity::kWarning, "stride-exceeds-kernel", message,
               fmt::format("use {}_size >= stride, or downsample by average pooling first "
                           "(e.g. avgpool({}) before this layer with stride 1)",
                           word, std::max(window(i, 0).stride(), window(i, 1).stride())));
      } else {
        report(i, Severity::kWarning, "dilation-stride-gaps", message,
               "use stride 1 with a dilated kernel (or dilation 1 with this stride); a dilation "
               "that shares a factor with the stride reads the same residues in every window");
      }
    }

    std::vector<Clause> clauses;
    std::vector<std::string> sizes;
    for (const int a : axes(i)) {
      if (loss[a].border == 0) continue;
      const Window& w = window(i, a);
      const std::string which = one_d(i) ? "last" : a == 0 ? "bottom" : "right";
      clauses.push_back(
          {noun(i, a), fmt::format("the {} {} of {}", which, loss[a].border, w.input_size())});
      if (w.padding_kind() == PaddingKind::kValid) {
        sizes.push_back(sizes_text(nearest_sizes(w, w.stride(), ends_at_edge), noun(i, a)));
      }
    }
    if (clauses.empty()) return;
    const auto [n, all] = pixels(loss[0].border, loss[1].border);
    const Window& first = window(i, axes(i).front());
    report(i, Severity::kWarning, "valid-drops-border",
           fmt::format("padding '{}' drops what one more window would read: {}; {} of {} input {} "
                       "({}){}",
                       padding_kind_name(first.padding_kind()), join_clauses(clauses), n, all,
                       units(i), percent(n, all), padding_note),
           sizes.empty() ? std::string("use padding=same, or pads that let the last window end at "
                                       "the edge")
                         : fmt::format("use padding=same, or a layer input of {} (the last window "
                                       "then ends at the edge)",
                                       fmt::join(sizes, " and ")));
  }

  void asymmetric_same(std::size_t i) {
    std::vector<std::string> pads, extra, sizes;
    bool no_size = false;
    const std::string word = is_pooling(layers_[i].kind) ? "pool" : "kernel";
    for (const int a : axes(i)) {
      const Window& w = window(i, a);
      if (w.padding_kind() != PaddingKind::kSame || symmetric(w)) continue;
      const bool rows = a == 0 && !one_d(i);
      const char* before = one_d(i) ? "before" : rows ? "above" : "left of";
      const char* after = one_d(i) ? "after" : rows ? "below" : "right of";
      pads.push_back(fmt::format("{}: {} {} and {} {} an input of {} ({}, stride {})", noun(i, a),
                                 w.pad_before(), before, w.pad_after(), after, w.input_size(),
                                 kernel_text(w, word), w.stride()));
      extra.push_back(one_d(i) ? "position at the end"
                      : rows   ? "row at the bottom"
                               : "column at the right");
      const std::string s = sizes_text(nearest_sizes(w, 2 * w.stride(), symmetric), noun(i, a));
      if (s.empty()) no_size = true;
      sizes.push_back(s);
    }
    if (pads.empty()) return;
    report(i, Severity::kWarning, "asymmetric-same",
           fmt::format("padding 'same' pads unevenly, {}: TensorFlow puts the extra {}, so the "
                       "windows sit half a pixel off-centre (frameworks that pad symmetrically "
                       "compute different numbers)",
                       fmt::join(pads, "; "), fmt::join(extra, " and the extra ")),
           no_size ? std::string("use an odd effective kernel, or ZeroPadding2D with the pads you "
                                 "want and padding=valid")
                   : fmt::format("use a layer input of {} (symmetric pads), or ZeroPadding2D with "
                                 "the pads you want and padding=valid",
                                 fmt::join(sizes, " and ")));
  }

  void checkerboard(std::size_t i) {
    std::vector<Clause> clauses;
    std::int64_t kernel = 1, stride = 1;
    bool dilated = false;
    for (const int a : axes(i)) {
      // The forward window over the transposed output: reads_of(t) is the number of (input, tap)
      // pairs that land on output t.
      const Window& w = window(i, a);
      if (w.stride() == 1) continue;
      // Away from the borders every tap of output t may come from a real input.
      // From the last tap of the first window to the first tap of the last one.
      std::int64_t lo = std::max<std::int64_t>(0, w.tap(0, w.kernel_size() - 1));
      std::int64_t hi = std::min(w.input_size() - 1, w.first_input(w.output_size() - 1));
      if (hi - lo + 1 < w.stride()) {
        lo = 0;
        hi = w.input_size() - 1;
      }
      std::int64_t least = -1, most = -1, none = 0;
      for (std::int64_t t = lo; t <= hi; ++t) {
        const std::int64_t n = w.reads_of(t);
        least = least < 0 ? n : std::min(least, n);
        most = std::max(most, n);
        if (n == 0 && t < lo + w.stride()) ++none;
      }
      if (least == most) continue;
      kernel = std::max(kernel, w.kernel_size());
      stride = std::max(stride, w.stride());
      dilated = dilated || w.dilation() > 1;
      std::string text = fmt::format(
          "{} with stride {}, interior outputs receive {} to {} "
          "contributions",
          kernel_text(w, "kernel"), w.stride(), least, most);
      if (none > 0) text += fmt::format(" ({} of every {} none at all)", none, w.stride());
      clauses.push_back({noun(i, a), text});
    }
    if (clauses.empty()) return;
    const std::int64_t multiple = (kernel + stride - 1) / stride * stride;
    report(
        i, Severity::kWarning, "checkerboard",
        fmt::format("uneven overlap of the transposed windows: {} (checkerboard artefacts, "
                    "Odena et al. 2016)",
                    join_clauses(clauses)),
        fmt::format("use a kernel that is a multiple of the stride (kernel {}{}), or upsample({}) "
                    "then conv(..., {}, padding=same)",
                    multiple, dilated ? ", dilation 1" : "", stride, kernel));
  }

  // The sliding layer whose output layer i reads through layers that keep positions (batch norm,
  // activations, per-position Dense, padding, cropping), if any.
  std::optional<std::size_t> stack_predecessor(std::size_t i) const {
    const ResolvedLayer* layer = &resolved(i);
    while (layer->inputs.size() == 1) {
      const std::size_t p = layer->inputs.front();
      if (is_sliding(p)) return p;
      if (!is_transparent(layers_[p], resolved(p))) return std::nullopt;
      layer = &resolved(p);
    }
    return std::nullopt;
  }

  void gridding() {
    std::vector<std::array<StackAxis, 2>> stacks(layers_.size());
    std::vector<bool> holes(layers_.size(), false);
    for (std::size_t i = 0; i < layers_.size(); ++i) {
      if (!is_sliding(i)) continue;
      const std::optional<std::size_t> below = stack_predecessor(i);
      for (const int a : {0, 1}) {
        StackAxis& s = stacks[i][to_size(a)];
        s = extended(below ? stacks[*below][to_size(a)] : stack_base(), window(i, a));
        // One dilated layer alone is not a stack; holes the undilated stack has too come from
        // strides, which other rules report.
        holes[i] = holes[i] || (s.dilated >= 2 && s.with && s.without && has_holes(*s.with) &&
                                !has_holes(*s.without));
      }
      holes[i] = holes[i] && stacks[i][0].with && stacks[i][1].with;
    }
    std::vector<bool> continued(layers_.size(), false);
    // A stack that a later layer extends is judged at that layer, which may fill the holes.
    for (std::size_t i = 0; i < layers_.size(); ++i) {
      if (!is_sliding(i)) continue;
      if (const auto p = stack_predecessor(i)) continued[*p] = true;
    }
    for (std::size_t i = 0; i < layers_.size(); ++i) {
      if (!holes[i] || continued[i]) continue;
      std::int64_t span[2], read[2];
      int a = 1;
      for (const int axis : {0, 1}) {
        const StackAxis& s = stacks[i][to_size(axis)];
        span[axis] = static_cast<std::int64_t>(s.with->size());
        read[axis] = count(*s.with);
        if (s.dilated >= 2 && has_holes(*s.with) && axis == 0 && !one_d(i)) a = 0;
      }
      std::vector<std::size_t> stack{i};
      for (auto p = stack_predecessor(i); p; p = stack_predecessor(*p)) stack.push_back(*p);
      std::reverse(stack.begin(), stack.end());
      std::vector<std::string> dilations, names;
      std::int64_t factor = 0;
      for (const std::size_t s : stack) {
        const Window& w = window(s, a);
        if (w.dilation() == 1 || w.kernel_size() == 1) continue;
        dilations.push_back(fmt::format("{}", w.dilation()));
        names.push_back(fmt::format("'{}'", layers_[s].name));
        factor = std::gcd(factor, w.dilation());
      }
      const std::string cause =
          factor > 1 ? fmt::format("dilations {} (layers {}) share the factor {}",
                                   fmt::join(dilations, ", "), fmt::join(names, ", "), factor)
                     : fmt::format("dilations {} (layers {}) leave holes",
                                   fmt::join(dilations, ", "), fmt::join(names, ", "));
      std::string field;
      if (one_d(i)) {
        field = fmt::format("spans {} positions of the stack's input but reads only {} ({})",
                            span[1], read[1], percent(read[1], span[1]));
      } else {
        const std::int64_t area = span[0] * span[1], seen = read[0] * read[1];
        field = fmt::format(
            "spans {}x{} pixels of the stack's input but reads only {} rows and {} "
            "columns of them, {} of {} pixels ({})",
            span[0], span[1], read[0], read[1], seen, area, percent(seen, area));
      }
      report(i, Severity::kWarning, "gridding",
             fmt::format("the receptive field of one output {}: {} (gridding, Wang et al. 2018)",
                         field, cause),
             "choose dilations without a common factor that grow by at most the kernel size, e.g. "
             "1, 2, 5 for 3x3 kernels (hybrid dilated convolution), or end the stack with an "
             "undilated layer");
    }
  }

  void collapsed_early() {
    std::vector<std::size_t> wasted;
    for (std::size_t i = 0; i < layers_.size(); ++i) {
      if (!is_sliding(i)) continue;
      bool smaller = false;
      for (const int a : axes(i)) {
        smaller = smaller || window(i, a).input_size() < window(i, a).effective_kernel_size();
      }
      if (smaller) wasted.push_back(i);
    }
    if (wasted.size() < 2) return;
    // The layer that made the map that small: walk back over layers that keep its size.
    std::size_t shrunk = resolved(wasted.front()).inputs.front();
    while (!resolved(shrunk).inputs.empty() && plane_of(resolved(shrunk).input_shapes.front()) ==
                                                   plane_of(resolved(shrunk).output_shape)) {
      shrunk = resolved(shrunk).inputs.front();
    }
    // Windows larger than the model input itself are a kernel choice, not early downsampling.
    if (layers_[shrunk].kind == LayerKind::kInput) return;
    const Plane map = plane_of(resolved(shrunk).output_shape);
    std::vector<std::string> named;
    for (std::size_t k = 0; k < wasted.size() && k < 3; ++k) {
      const std::size_t i = wasted[k];
      const Window &h = window(i, 0), &w = window(i, 1);
      named.push_back(one_d(i) ? fmt::format("'{}' ({} on {})", layers_[i].name,
                                             w.effective_kernel_size(), w.input_size())
                               : fmt::format("'{}' ({}x{} on {}x{})", layers_[i].name,
                                             h.effective_kernel_size(), w.effective_kernel_size(),
                                             h.input_size(), w.input_size()));
    }
    if (wasted.size() > 3) named.push_back(fmt::format("{} more", wasted.size() - 3));
    std::string stride;
    if (const auto& f = fields_[shrunk]) {
      stride = one_d(shrunk)
                   ? fmt::format(" (effective stride {})", f->width.stride)
                   : fmt::format(" (effective stride {}x{})", f->height.stride, f->width.stride);
    }
    const std::string size =
        one_d(shrunk) ? fmt::format("{}", map.w) : fmt::format("{}x{}", map.h, map.w);
    report(
        shrunk, Severity::kWarning, "collapsed-early",
        fmt::format(
            "leaves a {} map{}, yet {} later windowed layers have windows larger than "
            "the map they read: {}; every one of their windows reaches past the map into padding",
            size, stride, wasted.size(), fmt::join(named, ", ")),
        fmt::format("use a larger input, or remove a downsampling step at or before '{}' (or "
                    "give the later layers 1x1 kernels)",
                    layers_[shrunk].name));
  }

  void small_receptive_field() {
    std::vector<bool> done(layers_.size(), false);
    for (std::size_t i = 0; i < layers_.size(); ++i) {
      if (!is_head(layers_[i].kind)) continue;
      const std::size_t p = resolved(i).inputs.front();
      if (done[p] || layers_[p].kind == LayerKind::kInput || !fields_[p]) continue;
      done[p] = true;
      std::size_t source = p;
      while (!resolved(source).inputs.empty()) source = resolved(source).inputs.front();
      const Plane in = plane_of(resolved(source).output_shape);
      const Field& f = *fields_[p];
      if (f.height.size >= in.h && f.width.size >= in.w) continue;
      const std::int64_t seen = std::min(f.height.size, in.h) * std::min(f.width.size, in.w);
      const std::string message =
          one_d(p)
              ? fmt::format(
                    "feeds the classifier head '{}' with a receptive field of {}: "
                    "one of its outputs sees at most {} of the {} input positions "
                    "({})",
                    layers_[i].name, f.width.size, seen, in.w, percent(seen, in.h * in.w))
              : fmt::format(
                    "feeds the classifier head '{}' with a receptive field of {}x{}: "
                    "one of its outputs sees at most {}x{} of the {}x{} input ({})",
                    layers_[i].name, f.height.size, f.width.size, std::min(f.height.size, in.h),
                    std::min(f.width.size, in.w), in.h, in.w, percent(seen, in.h * in.w));
      report(p, Severity::kWarning, "small-receptive-field", message,
             "grow the field before the head: more layers, an earlier stride, or dilation (each "
             "layer adds (kernel - 1) x the effective stride of its input)");
    }
  }

  void input_unread() {
    for (std::size_t i = 0; i < layers_.size(); ++i) {
      if (layers_[i].kind != LayerKind::kInput) continue;
      const Masks& u = use_[i];
      const Plane in = plane_of(resolved(i).output_shape);
      const std::int64_t rows = count(u.h), cols = count(u.w);
      if (rows == in.h && cols == in.w) continue;
      const std::int64_t lost = in.h * in.w - rows * cols;
      std::vector<std::string> parts;
      if (rows < in.h && !one_d(i)) {
        parts.push_back(fmt::format("{} of {} rows ({})", in.h - rows, in.h, unset_ranges(u.h)));
      }
      if (cols < in.w) {
        parts.push_back(
            fmt::format("{} of {} {} ({})", in.w - cols, in.w, noun(i, 1), unset_ranges(u.w)));
      }
      report(i, Severity::kError, "input-unread",
             fmt::format("{} of the model input reach no model output through any path: {} of {} "
                         "input {} ({}) are lost",
                         fmt::join(parts, " and "), lost, in.h * in.w, units(i),
                         percent(lost, in.h * in.w)),
             "make the layers that skip them read their whole input (see their warnings): "
             "padding=same, kernel_size >= stride, or an input size their windows fit");
    }
  }

  const model::ResolvedModel& model_;
  const std::vector<LayerSpec>& layers_;
  std::vector<std::optional<Field>> fields_;
  std::vector<Masks> data_, use_;
  std::vector<std::pair<std::size_t, Finding>> found_;
};

}  // namespace

std::string_view severity_name(Severity severity) {
  return severity == Severity::kError ? "error" : "warning";
}

std::vector<Finding> lint(const model::ResolvedModel& model) { return Linter(model).run(); }

}  // namespace strider::analysis
