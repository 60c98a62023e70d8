#include "strider/geometry/window.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "strider/core/checked.hpp"
#include "strider/core/error.hpp"

namespace strider {
namespace {

// floor(a / b) for b > 0 and any sign of a.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return -floor_div(-a, b); }

}  // namespace

std::string_view padding_kind_name(PaddingKind kind) {
  switch (kind) {
    case PaddingKind::kValid:
      return "valid";
    case PaddingKind::kSame:
      return "same";
    case PaddingKind::kExplicit:
      return "explicit";
    case PaddingKind::kCausal:
      return "causal";
  }
  return "?";
}

Window Window::make(std::int64_t input_size, const WindowSpec& spec, std::string_view op,
                    std::string_view axis) {
  if (input_size < 0) {
    throw InvalidArgument(fmt::format("{}: input {} must be >= 0, got {}", op, axis, input_size));
  }
  if (spec.kernel_size < 1) {
    throw InvalidArgument(
        fmt::format("{}: kernel {} must be >= 1, got {}", op, axis, spec.kernel_size));
  }
  if (spec.stride < 1) {
    throw InvalidArgument(fmt::format("{}: {} stride must be >= 1, got {}", op, axis, spec.stride));
  }
  if (spec.dilation < 1) {
    throw InvalidArgument(
        fmt::format("{}: {} dilation must be >= 1, got {}", op, axis, spec.dilation));
  }
  const Origin what{op, axis, "window"};
  const std::int64_t effective =
      checked_add(checked_mul(spec.kernel_size - 1, spec.dilation, what), 1, what);

  Window w;
  w.input_size_ = input_size;
  w.kernel_size_ = spec.kernel_size;
  w.stride_ = spec.stride;
  w.dilation_ = spec.dilation;
  w.padding_kind_ = spec.padding.kind;

  switch (spec.padding.kind) {
    case PaddingKind::kValid:
      if (effective > input_size) {
        throw ShapeError(fmt::format(
            "{}: padding 'valid' needs the {} window ({} = (kernel {} - 1) * dilation {} + 1) to "
            "fit in the input {} {}; use padding 'same' or a smaller kernel/dilation",
            op, axis, effective, spec.kernel_size, spec.dilation, axis, input_size));
      }
      w.output_size_ = (input_size - effective) / spec.stride + 1;
      break;
    case PaddingKind::kSame: {
      w.output_size_ = ceil_div(input_size, spec.stride);
      // The last window starts at (output - 1) * stride; whatever it overhangs is padding.
      const std::int64_t needed =
          w.output_size_ == 0
              ? 0
              : std::max<std::int64_t>(
                    0, checked_add(checked_mul(w.output_size_ - 1, spec.stride, what),
                                   effective - input_size, what));
      // Every tap lies in [-pad_before, input + pad_after): the padded extent must fit too.
      checked_add(input_size, needed, what);
      w.pad_before_ = needed / 2;
      w.pad_after_ = needed - w.pad_before_;
      break;
    }
    case PaddingKind::kCausal:
      // Causal keeps output = input for stride 1, taking all padding before.
      w.pad_before_ = effective - 1;
      w.pad_after_ = 0;
      w.output_size_ =
          floor_div(checked_add(input_size, w.pad_before_, what) - effective, spec.stride) + 1;
      break;
    case PaddingKind::kExplicit: {
      if (spec.padding.before < 0 || spec.padding.after < 0) {
        throw InvalidArgument(fmt::format("{}: explicit {} padding must be >= 0, got ({}, {})", op,
                                          axis, spec.padding.before, spec.padding.after));
      }
      const std::int64_t padded =
          checked_add(checked_add(input_size, spec.padding.before, what), spec.padding.after, what);
      if (effective > padded) {
        throw ShapeError(fmt::format(
            "{}: the {} window ({} = (kernel {} - 1) * dilation {} + 1) is larger than the padded "
            "input {} ({} + {} + {})",
            op, axis, effective, spec.kernel_size, spec.dilation, padded, spec.padding.before,
            input_size, spec.padding.after));
      }
      w.pad_before_ = spec.padding.before;
      w.pad_after_ = spec.padding.after;
      w.output_size_ = (padded - effective) / spec.stride + 1;
      break;
    }
  }
  return w;
}

SizeRange inverse_sizes(std::int64_t output_size, const WindowSpec& spec, std::string_view op,
                        std::string_view axis) {
  if (output_size < 0) {
    throw InvalidArgument(fmt::format("{}: {} size must be >= 0, got {}", op, axis, output_size));
  }
  // Validate the spec the same way a forward window would (input size 0 never fails on it).
  WindowSpec probe = spec;
  probe.padding.kind = PaddingKind::kSame;
  Window::make(0, probe, op, axis);
  if (spec.padding.kind == PaddingKind::kExplicit &&
      (spec.padding.before < 0 || spec.padding.after < 0)) {
    Window::make(0, spec, op, axis);  // throws the explicit-padding message
  }
  const Origin what{op, axis, "size"};
  if (output_size == 0) {
    // Only SAME/causal map an empty input to an empty output.
    const bool same =
        spec.padding.kind == PaddingKind::kSame || spec.padding.kind == PaddingKind::kCausal;
    return same ? SizeRange{0, 0} : SizeRange{};
  }
  const std::int64_t span = checked_mul(output_size - 1, spec.stride, what);
  if (spec.padding.kind == PaddingKind::kSame || spec.padding.kind == PaddingKind::kCausal) {
    return {checked_add(span, 1, what), checked_add(span, spec.stride, what)};
  }
  const std::int64_t effective =
      checked_add(checked_mul(spec.kernel_size - 1, spec.dilation, what), 1, what);
  const std::int64_t pads = spec.padding.kind == PaddingKind::kExplicit
                                ? checked_add(spec.padding.before, spec.padding.after, what)
                                : 0;
  const std::int64_t low = checked_add(span, effective, what) - pads;
  const std::int64_t high = checked_add(low, spec.stride - 1, what);
  if (high < 0) return {};
  return {std::max<std::int64_t>(low, 0), high};
}

TapRange Window::valid_taps(std::int64_t o) const {
  // Smallest j with tap(o, j) >= 0 and smallest j with tap(o, j) >= input_size.
  const std::int64_t start = o * stride_ - pad_before_;
  const std::int64_t begin = std::clamp<std::int64_t>(ceil_div(-start, dilation_), 0, kernel_size_);
  const std::int64_t end =
      std::clamp<std::int64_t>(ceil_div(input_size_ - start, dilation_), 0, kernel_size_);
  return {begin, std::max(begin, end)};
}

std::vector<TapRun> Window::tap_runs() const {
  std::vector<TapRun> runs;
  tap_runs(runs);
  return runs;
}

void Window::tap_runs(std::vector<TapRun>& runs) const {
  runs.clear();
  for (std::int64_t o = 0; o < output_size_; ++o) {
    const TapRange t = valid_taps(o);
    if (!runs.empty() && runs.back().taps.begin == t.begin && runs.back().taps.end == t.end) {
      runs.back().end = o + 1;
    } else {
      runs.push_back({o, o + 1, t});
    }
  }
}

std::int64_t Window::reads_of(std::int64_t i) const {
  if (i < 0 || i >= input_size_) return 0;
  std::int64_t count = 0;
  // Output o reads i when i = o * stride - pad_before + j * dilation for some tap j.
  for (std::int64_t j = 0; j < kernel_size_; ++j) {
    const std::int64_t offset = i + pad_before_ - j * dilation_;
    if (offset >= 0 && offset % stride_ == 0 && offset / stride_ < output_size_) ++count;
  }
  return count;
}

std::int64_t Window::unread_inputs() const {
  // Tap j of every output reads the progression i = (j * dilation - pad_before) + o * stride.
  // Progressions with the same residue modulo stride are intervals on the lattice m = floor(i /
  // stride); merging those intervals counts the read pixels in O(k log k) for any input size.
  struct Run {
    std::int64_t residue, first, last;
  };
  std::vector<Run> runs;
  runs.reserve(static_cast<std::size_t>(kernel_size_));
  for (std::int64_t j = 0; j < kernel_size_; ++j) {
    const std::int64_t base = j * dilation_ - pad_before_;
    const std::int64_t o_first = std::max<std::int64_t>(0, ceil_div(-base, stride_));
    const std::int64_t o_last =
        std::min(output_size_ - 1, floor_div(input_size_ - 1 - base, stride_));
    if (o_first > o_last) continue;
    const std::int64_t lattice = floor_div(base, stride_);
    runs.push_back({base - lattice * stride_, o_first + lattice, o_last + lattice});
  }
  std::sort(runs.begin(), runs.end(), [](const Run& a, const Run& b) {
    return a.residue != b.residue ? a.residue < b.residue : a.first < b.first;
  });
  std::int64_t read = 0;
  for (std::size_t i = 0; i < runs.size();) {
    Run merged = runs[i++];
    while (i < runs.size() && runs[i].residue == merged.residue &&
           runs[i].first <= merged.last + 1) {
      merged.last = std::max(merged.last, runs[i++].last);
    }
    read += merged.last - merged.first + 1;
  }
  return input_size_ - read;
}

}  // namespace strider
