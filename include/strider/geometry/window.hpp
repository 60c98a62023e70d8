// Where windows land along one spatial axis: the single source of truth for output sizes, padding
// amounts and the input positions each output reads. Kernels, analysis, pictures, the backward
// pass and the CLI all ask a Window; nothing else recomputes these formulas.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strider {

// The padding rule of one axis.
//   kValid:    no padding; output = floor((input - effective_kernel) / stride) + 1.
//   kSame:     output = ceil(input / stride); the padding needed to reach it is split with the
//              odd cell AFTER (bottom/right), exactly as TensorFlow does.
//   kExplicit: `before` and `after` cells of zeros; output = floor((input + before + after -
//              effective_kernel) / stride) + 1.
//   kCausal:   Conv1D's "causal": all of the padding before, none after; output = input.
enum class PaddingKind { kValid, kSame, kExplicit, kCausal };

struct AxisPadding {
  PaddingKind kind = PaddingKind::kValid;
  std::int64_t before = 0;  // kExplicit only
  std::int64_t after = 0;   // kExplicit only
};

// What a user chooses for one axis.
struct WindowSpec {
  std::int64_t kernel_size = 1;
  std::int64_t stride = 1;
  std::int64_t dilation = 1;  // 1 = dense, as in TensorFlow
  AxisPadding padding;
};

// The taps j in [begin, end) of one output position that land inside the input.
struct TapRange {
  std::int64_t begin = 0;
  std::int64_t end = 0;
  std::int64_t size() const { return end > begin ? end - begin : 0; }
};

// Consecutive outputs [begin, end) whose valid taps are the same.
struct TapRun {
  std::int64_t begin = 0;
  std::int64_t end = 0;
  TapRange taps;
};

// One axis of a sliding-window op with its geometry resolved for a given input size.
// Tap j of output o reads input position  o * stride - pad_before + j * dilation,
// which lies in the padding when it is outside [0, input_size).
class Window {
 public:
  // Resolves `spec` for `input_size`. Throws InvalidArgument for kernel_size, stride or dilation
  // < 1, negative input size or negative explicit padding, and ShapeError when the window does not
  // fit (VALID, or explicit padding, with the effective kernel larger than the padded input) or
  // when the arithmetic overflows. `op` and `axis` ("conv2d", "height") name the error's origin.
  static Window make(std::int64_t input_size, const WindowSpec& spec, std::string_view op,
                     std::string_view axis);

  std::int64_t input_size() const { return input_size_; }
  std::int64_t output_size() const { return output_size_; }
  std::int64_t kernel_size() const { return kernel_size_; }
  std::int64_t stride() const { return stride_; }
  std::int64_t dilation() const { return dilation_; }
  std::int64_t pad_before() const { return pad_before_; }
  std::int64_t pad_after() const { return pad_after_; }
  PaddingKind padding_kind() const { return padding_kind_; }

  // (kernel_size - 1) * dilation + 1: the extent one window spans, holes included.
  std::int64_t effective_kernel_size() const { return (kernel_size_ - 1) * dilation_ + 1; }

  // Input position of tap j of output o; may be negative or >= input_size (padding).
  std::int64_t tap(std::int64_t o, std::int64_t j) const {
    return o * stride_ - pad_before_ + j * dilation_;
  }
  std::int64_t first_input(std::int64_t o) const { return tap(o, 0); }

  // Input cells from one window to the next (tap(o + 1, j) - tap(o, j)): the stride where there
  // are two windows or more, 0 where there is at most one. A kernel's pointer step along the
  // outputs is this times the cells' width, so a stride longer than the input (which leaves one
  // window) never enters the arithmetic.
  std::int64_t window_step() const { return output_size_ > 1 ? tap(1, 0) - tap(0, 0) : 0; }

  // Cells from the first window's first tap to the last window's last tap, padding included:
  // what a copy of the input with its padding made explicit spans (0 without windows).
  std::int64_t extent() const {
    return output_size_ == 0 ? 0 : tap(output_size_ - 1, kernel_size_ - 1) + 1 - tap(0, 0);
  }

  // The taps of output o that read real input (not padding).
  TapRange valid_taps(std::int64_t o) const;

  // The outputs grouped into runs of equal valid taps, in order: the interior is one run, and
  // each border position that padding cuts is usually one of its own. Kernels tile a run with
  // one pointer step per output.
  std::vector<TapRun> tap_runs() const;
  // The same into `runs` (cleared first), reusing its storage: kernels call this per call.
  void tap_runs(std::vector<TapRun>& runs) const;

  // How many windows read input position i (0 for pixels that stride > kernel skips or that
  // VALID drops at the border).
  std::int64_t reads_of(std::int64_t i) const;

  // Number of input positions that no window reads.
  std::int64_t unread_inputs() const;

 private:
  std::int64_t input_size_ = 0;
  std::int64_t output_size_ = 0;
  std::int64_t kernel_size_ = 1;
  std::int64_t stride_ = 1;
  std::int64_t dilation_ = 1;
  std::int64_t pad_before_ = 0;
  std::int64_t pad_after_ = 0;
  PaddingKind padding_kind_ = PaddingKind::kValid;
};

// An inclusive range of extents.
struct SizeRange {
  std::int64_t min = 0;
  std::int64_t max = -1;  // empty when max < min
  bool empty() const { return max < min; }
  bool contains(std::int64_t v) const { return v >= min && v <= max; }
};

// The inverse of Window::make: every input extent whose windows, under `spec`, produce exactly
// `output_size` outputs. The map from input to output size is not one-to-one when stride > 1,
// which is why transposed convolution needs output_padding or an explicit output shape.
//   VALID/explicit: [(out - 1) * stride + effective - before - after, ... + stride - 1] (>= 0)
//   SAME/causal:    [(out - 1) * stride + 1, out * stride]  (just {0} for out = 0)
// Throws like Window::make for bad spec values and ShapeError on overflow.
SizeRange inverse_sizes(std::int64_t output_size, const WindowSpec& spec, std::string_view op,
                        std::string_view axis);

// "valid", "same", "explicit", "causal".
std::string_view padding_kind_name(PaddingKind kind);

}  // namespace strider
