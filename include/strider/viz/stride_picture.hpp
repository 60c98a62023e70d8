// The frame model behind every stride picture: which cells are drawn (input pixels, padding,
// inserted zeros), and for each output position the cells its window taps. It is read off
// geometry's Windows (tap, reads) and never re-derives a position; the renderers only draw it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "strider/geometry/conv2d_geometry.hpp"
#include "strider/geometry/conv2d_transpose_geometry.hpp"
#include "strider/geometry/pool2d_geometry.hpp"
#include "strider/geometry/window.hpp"

namespace strider::viz {

// What one drawn cell of the (padded) input holds.
enum class CellKind : std::uint8_t { kInput, kPadding, kInsertedZero };

// Why an input pixel that no window reads is unread, as a picture tells it.
//   kSkipped: it lies between windows (stride larger than the kernel, or a dilation hole).
//   kDropped: it lies past the last window (the border rows VALID drops) or before the first.
enum class Unread : std::uint8_t { kRead, kSkipped, kDropped };

// One axis of a picture: a row of cells ("the canvas") that a window slides over, one window
// position per output.
//   Conv2D / pooling: the canvas is the padded input, [-pad_before, input + pad_after), and the
//     window is geometry's own Window; canvas cell c is input position c - pad_before.
//   Transposed convolution: the canvas is the input with stride - 1 zeros inserted between
//     pixels and padded, and the window is the stride-1 convolution over it that computes the
//     same output. Input i sits where geometry's forward window places its last tap,
//     forward.tap(i, kernel - 1); the canvas window's tap j carries the filter's tap
//     kernel - 1 - j (the filter is flipped). Inputs whose taps land outside the output are
//     drawn but never read (cropped by the padding).
class AxisPicture {
 public:
  // `axis` ("height", "width") names the axis in errors. Both throw InvalidArgument when the
  // canvas would exceed kMaxCells cells, before allocating it.
  static AxisPicture of_window(const Window& window, std::string_view axis);
  // `forward` is Conv2DTransposeGeometry's window: forward.input_size() is the transposed
  // output extent, forward.output_size() the transposed input extent.
  static AxisPicture of_transpose(const Window& forward, std::string_view axis);

  std::int64_t cells() const { return static_cast<std::int64_t>(kinds_.size()); }
  CellKind kind(std::int64_t cell) const { return kinds_[static_cast<std::size_t>(cell)]; }
  // Input position drawn at `cell`, or -1 for padding and inserted zeros.
  std::int64_t input_at(std::int64_t cell) const { return inputs_[static_cast<std::size_t>(cell)]; }
  std::int64_t input_size() const { return input_size_; }

  std::int64_t outputs() const { return window_.output_size(); }
  std::int64_t kernel_size() const { return window_.kernel_size(); }
  // The canvas cell that tap j of output o reads.
  std::int64_t tap_cell(std::int64_t o, std::int64_t j) const {
    return window_.tap(o, j) + offset_;
  }
  // The filter tap that tap j multiplies: j, or kernel - 1 - j for a transposed convolution.
  std::int64_t filter_tap(std::int64_t j) const { return flipped_ ? kernel_size() - 1 - j : j; }
  // How many windows read `cell`.
  std::int64_t reads(std::int64_t cell) const { return reads_[static_cast<std::size_t>(cell)]; }
  Unread unread(std::int64_t cell) const;

  // The window that slides over the canvas; for Conv2D and pooling, geometry's own.
  const Window& window() const { return window_; }
  // The geometry's window this picture was made from (for a transposed convolution, the forward
  // window whose pads and stride the user chose).
  const Window& source() const { return source_; }
  bool transposed() const { return flipped_; }

 private:
  void count_reads();

  Window window_;
  Window source_;
  std::int64_t offset_ = 0;  // canvas cell of the window's position 0
  std::int64_t input_size_ = 0;
  bool flipped_ = false;
  std::vector<CellKind> kinds_;
  std::vector<std::int64_t> inputs_;
  std::vector<std::int64_t> reads_;
};

// A cell of a 2-D grid.
struct Cell {
  std::int64_t row = 0;
  std::int64_t col = 0;
  bool operator==(const Cell&) const = default;
};

enum class PictureOp : std::uint8_t { kConv, kPool, kConvTranspose };

// "conv", "pool", "conv-transpose": the --op names.
const char* picture_op_name(PictureOp op);

// A 2-D picture: the product of two AxisPictures. Frame f shows output position
// (f / output_cols, f % output_cols), row-major, as TensorFlow lays the output out.
struct StridePicture {
  PictureOp op = PictureOp::kConv;
  AxisPicture rows;
  AxisPicture cols;

  static StridePicture of(const Conv2DGeometry& g);
  static StridePicture of(const Pool2DGeometry& g);
  static StridePicture of(const Conv2DTransposeGeometry& g);

  std::int64_t frames() const { return rows.outputs() * cols.outputs(); }
  Cell output_of_frame(std::int64_t frame) const {
    return {frame / cols.outputs(), frame % cols.outputs()};
  }
  // The canvas cells that frame f's window reads, tap by tap in row-major tap order.
  std::vector<Cell> taps(std::int64_t frame) const;
  // Padding wins over inserted zeros, which win over input.
  CellKind kind(Cell c) const;
  // Windows that read cell c: the product of the two axes' counts, since a 2-D window is the
  // product of one window per axis.
  std::int64_t reads(Cell c) const { return rows.reads(c.row) * cols.reads(c.col); }
  // For input cells only: why no window reads it (kDropped if either axis drops it).
  Unread unread(Cell c) const;
};

// Size limits of a picture, so that a typo such as --input 7000 fails with a message instead of
// writing gigabytes: at most kMaxCells canvas cells per axis (checked where an AxisPicture is
// made) and kMaxFrames frames per animation (checked by check_animatable).
inline constexpr std::int64_t kMaxCells = 128;
inline constexpr std::int64_t kMaxFrames = 1024;

// Throws InvalidArgument, naming the frame count and the limit, when `picture` has more than
// kMaxFrames output positions.
void check_animatable(const StridePicture& picture);

}  // namespace strider::viz
