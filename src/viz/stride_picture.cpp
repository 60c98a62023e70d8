// The frame model: canvases and window positions read off geometry's Windows.
#include "strider/viz/stride_picture.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "strider/core/error.hpp"

namespace strider::viz {
namespace {

// Geometry has checked these sums for overflow; the limit keeps the allocations small.
void require_drawable(std::int64_t cells, std::string_view axis) {
  if (cells > kMaxCells) {
    throw InvalidArgument(fmt::format(
        "draw: the {} axis would be {} cells, padding included; a picture has at most {}", axis,
        cells, kMaxCells));
  }
}

}  // namespace

AxisPicture AxisPicture::of_window(const Window& window, std::string_view axis) {
  const std::int64_t cells = window.pad_before() + window.input_size() + window.pad_after();
  require_drawable(cells, axis);
  AxisPicture a;
  a.window_ = window;
  a.source_ = window;
  a.offset_ = window.pad_before();
  a.input_size_ = window.input_size();
  a.kinds_.assign(static_cast<std::size_t>(cells), CellKind::kPadding);
  a.inputs_.assign(static_cast<std::size_t>(cells), -1);
  for (std::int64_t i = 0; i < window.input_size(); ++i) {
    const auto c = static_cast<std::size_t>(i + a.offset_);
    a.kinds_[c] = CellKind::kInput;
    a.inputs_[c] = i;
  }
  a.count_reads();
  return a;
}

AxisPicture AxisPicture::of_transpose(const Window& forward, std::string_view axis) {
  require_drawable(forward.input_size(), axis);
  require_drawable(forward.effective_kernel_size(), axis);
  require_drawable(forward.output_size(), axis);
  AxisPicture a;
  a.flipped_ = true;
  a.source_ = forward;
  a.input_size_ = forward.output_size();
  const std::int64_t k = forward.kernel_size();
  // The stride-1 window whose outputs are the transposed output positions: every output reads
  // one effective kernel's span of the canvas, so the canvas spans output + effective - 1 cells.
  WindowSpec spec;
  spec.kernel_size = k;
  spec.dilation = forward.dilation();
  const std::int64_t span = forward.input_size() + forward.effective_kernel_size() - 1;
  a.window_ = Window::make(span, spec, "draw", axis);

  // Input i sits where its last tap lands. Inputs cropped by the padding land outside the span;
  // the canvas grows to show them.
  const std::int64_t first = a.input_size_ > 0 ? forward.tap(0, k - 1) : 0;
  const std::int64_t last = a.input_size_ > 0 ? forward.tap(a.input_size_ - 1, k - 1) : -1;
  a.offset_ = std::max<std::int64_t>(0, -first);
  const std::int64_t cells = a.offset_ + std::max(span, last + 1);
  require_drawable(cells, axis);
  a.kinds_.assign(static_cast<std::size_t>(cells), CellKind::kPadding);
  a.inputs_.assign(static_cast<std::size_t>(cells), -1);
  for (std::int64_t c = first + a.offset_; c < last + a.offset_; ++c) {
    a.kinds_[static_cast<std::size_t>(c)] = CellKind::kInsertedZero;
  }
  for (std::int64_t i = 0; i < a.input_size_; ++i) {
    const auto c = static_cast<std::size_t>(forward.tap(i, k - 1) + a.offset_);
    a.kinds_[c] = CellKind::kInput;
    a.inputs_[c] = i;
  }
  a.count_reads();
  return a;
}

void AxisPicture::count_reads() {
  reads_.assign(kinds_.size(), 0);
  for (std::int64_t o = 0; o < outputs(); ++o) {
    for (std::int64_t j = 0; j < kernel_size(); ++j)
      ++reads_[static_cast<std::size_t>(tap_cell(o, j))];
  }
}

Unread AxisPicture::unread(std::int64_t cell) const {
  if (reads(cell) > 0) return Unread::kRead;
  if (outputs() == 0) return Unread::kDropped;
  const std::int64_t first = tap_cell(0, 0);
  const std::int64_t last = tap_cell(outputs() - 1, kernel_size() - 1);
  return cell < first || cell > last ? Unread::kDropped : Unread::kSkipped;
}

const char* picture_op_name(PictureOp op) {
  switch (op) {
    case PictureOp::kConv:
      return "conv";
    case PictureOp::kPool:
      return "pool";
    case PictureOp::kConvTranspose:
      return "conv-transpose";
  }
  return "?";
}

StridePicture StridePicture::of(const Conv2DGeometry& g) {
  return {PictureOp::kConv, AxisPicture::of_window(g.height, "height"),
          AxisPicture::of_window(g.width, "width")};
}

StridePicture StridePicture::of(const Pool2DGeometry& g) {
  return {PictureOp::kPool, AxisPicture::of_window(g.height, "height"),
          AxisPicture::of_window(g.width, "width")};
}

StridePicture StridePicture::of(const Conv2DTransposeGeometry& g) {
  return {PictureOp::kConvTranspose, AxisPicture::of_transpose(g.height, "height"),
          AxisPicture::of_transpose(g.width, "width")};
}

std::vector<Cell> StridePicture::taps(std::int64_t frame) const {
  const Cell out = output_of_frame(frame);
  std::vector<Cell> cells;
  cells.reserve(static_cast<std::size_t>(rows.kernel_size() * cols.kernel_size()));
  for (std::int64_t i = 0; i < rows.kernel_size(); ++i) {
    for (std::int64_t j = 0; j < cols.kernel_size(); ++j) {
      cells.push_back({rows.tap_cell(out.row, i), cols.tap_cell(out.col, j)});
    }
  }
  return cells;
}

CellKind StridePicture::kind(Cell c) const {
  const CellKind r = rows.kind(c.row), k = cols.kind(c.col);
  if (r == CellKind::kPadding || k == CellKind::kPadding) return CellKind::kPadding;
  if (r == CellKind::kInsertedZero || k == CellKind::kInsertedZero) return CellKind::kInsertedZero;
  return CellKind::kInput;
}

Unread StridePicture::unread(Cell c) const {
  const Unread r = rows.unread(c.row), k = cols.unread(c.col);
  if (r == Unread::kDropped || k == Unread::kDropped) return Unread::kDropped;
  if (r == Unread::kSkipped || k == Unread::kSkipped) return Unread::kSkipped;
  return Unread::kRead;
}

void check_animatable(const StridePicture& picture) {
  if (picture.frames() > kMaxFrames) {
    throw InvalidArgument(fmt::format(
        "draw: {} output positions ({} x {}) would be as many frames; an animation holds at most "
        "{} (--coverage draws one picture)",
        picture.frames(), picture.rows.outputs(), picture.cols.outputs(), kMaxFrames));
  }
}

}  // namespace strider::viz
