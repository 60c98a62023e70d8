// The animation and coverage figures: layout, captions and legends over a StridePicture. Every
// position drawn comes from the picture (and so from geometry's Windows).
#include "strider/viz/stride_figure.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace strider::viz {
namespace {

constexpr double kMargin = 16;
constexpr double kGap = 40;  // between the canvas and the output grid
constexpr double kLine = 18;

std::string dims(std::int64_t h, std::int64_t w) { return fmt::format("{}x{}", h, w); }

double pick_cell(const StridePicture& p, double requested, bool with_output) {
  if (requested > 0) return requested;
  const auto across = static_cast<double>(p.cols.cells() + (with_output ? p.cols.outputs() : 0));
  const auto down = static_cast<double>(std::max(p.rows.cells(), p.rows.outputs()));
  return std::clamp(std::floor(std::min(640.0 / across, 480.0 / down)), 6.0, 32.0);
}

bool has_kind(const StridePicture& p, CellKind kind) {
  for (std::int64_t r = 0; r < p.rows.cells(); ++r) {
    for (std::int64_t c = 0; c < p.cols.cells(); ++c) {
      if (p.kind({r, c}) == kind) return true;
    }
  }
  return false;
}

// The input index of each canvas cell, empty for padding and inserted zeros.
std::vector<std::string> index_labels(const AxisPicture& a) {
  std::vector<std::string> labels;
  for (std::int64_t c = 0; c < a.cells(); ++c) {
    labels.push_back(a.input_at(c) >= 0 ? std::to_string(a.input_at(c)) : "");
  }
  return labels;
}

std::string padding_text(const StridePicture& p) {
  const Window& h = p.rows.source();
  const Window& w = p.cols.source();
  std::string text = fmt::format("padding {}", padding_kind_name(h.padding_kind()));
  if (p.op != PictureOp::kConvTranspose) {
    text += fmt::format(" (top {}, bottom {}, left {}, right {})", h.pad_before(), h.pad_after(),
                        w.pad_before(), w.pad_after());
  }
  return text;
}

// The lines above the grids: what op, what sizes, what settings.
std::vector<std::string> settings_lines(const StridePicture& p) {
  const Window& h = p.rows.source();
  const Window& w = p.cols.source();
  std::vector<std::string> lines;
  const std::string strides = fmt::format("strides {}", dims(h.stride(), w.stride()));
  if (p.op == PictureOp::kPool) {
    lines.push_back(fmt::format("pool {}  {}  {}", dims(h.kernel_size(), w.kernel_size()), strides,
                                padding_text(p)));
  } else {
    lines.push_back(fmt::format("kernel {}  {}  dilation {}  {}",
                                dims(h.kernel_size(), w.kernel_size()), strides,
                                dims(h.dilation(), w.dilation()), padding_text(p)));
  }
  if (p.op == PictureOp::kConvTranspose) {
    lines.emplace_back(
        "drawn as a stride-1 convolution of the flipped filter over the zero-inserted, padded "
        "input");
  }
  return lines;
}

std::string caption(const StridePicture& p, std::int64_t frame) {
  const Cell out = p.output_of_frame(frame);
  const std::vector<Cell> taps = p.taps(frame);
  std::int64_t on_input = 0;
  for (const Cell& c : taps) on_input += p.kind(c) == CellKind::kInput ? 1 : 0;
  const auto total = static_cast<std::int64_t>(taps.size());
  std::string text = fmt::format("output ({}, {})", out.row, out.col);
  if (p.op == PictureOp::kConvTranspose) {
    return text + fmt::format(": {} of {} taps read input pixels, the rest zeros or padding",
                              on_input, total);
  }
  const Window& h = p.rows.source();
  const Window& w = p.cols.source();
  text += fmt::format(" reads rows {}..{}, cols {}..{}", h.tap(out.row, 0),
                      h.tap(out.row, h.kernel_size() - 1), w.tap(out.col, 0),
                      w.tap(out.col, w.kernel_size() - 1));
  if (h.dilation() > 1 || w.dilation() > 1) {
    text += fmt::format(" every {}, {}", h.dilation(), w.dilation());
  }
  if (on_input < total) text += fmt::format("; {} of {} taps in padding", total - on_input, total);
  return text;
}

// Title and settings lines from (kMargin, kMargin); returns the y below them.
double add_header(Scene& scene, const std::vector<std::string>& lines, double& width) {
  double y = kMargin + kTitleSize / 2;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const double size = i == 0 ? kTitleSize : kTextSize;
    scene.add(Label{kMargin, y, lines[i], size, palette::kText, Anchor::kStart, {}});
    width = std::max(width, kMargin + text_width(lines[i], size));
    y += i == 0 ? kTitleSize + 8 : kLine;
  }
  return y;
}

// The canvas grid's placement below `top`, leaving room for index labels.
GridPlacement place_canvas(const StridePicture& p, double cell, double top) {
  const double label_room = cell >= kTextSize + 4 ? text_width("000", kTextSize) + 6 : 0;
  return {kMargin + label_room, top + kLine + (label_room > 0 ? kLine : 0), cell, p.rows.cells(),
          p.cols.cells()};
}

// The canvas's heading at `heading_y`, and its input indices along the edges.
void add_canvas(Scene& scene, const StridePicture& p, const GridPlacement& canvas,
                const std::string& heading, double heading_y) {
  scene.add(Label{canvas.x, heading_y, heading, kTextSize, palette::kText, Anchor::kStart, {}});
  add_col_labels(scene, canvas, index_labels(p.cols));
  add_row_labels(scene, canvas, index_labels(p.rows));
}

std::string canvas_heading(const StridePicture& p) {
  const std::string input = dims(p.rows.input_size(), p.cols.input_size());
  const std::string drawn = dims(p.rows.cells(), p.cols.cells());
  if (p.op == PictureOp::kConvTranspose) return fmt::format("input {} as drawn: {}", input, drawn);
  return drawn == input ? fmt::format("input {}", input)
                        : fmt::format("input {} padded to {}", input, drawn);
}

}  // namespace

Figure draw_animation(const StridePicture& p, const FigureOptions& options) {
  check_animatable(p);
  Figure f;
  Scene& scene = f.scene;
  scene.frames = std::max<std::int64_t>(1, p.frames());
  scene.frame_ms = options.frame_ms;
  const std::int64_t frames = p.frames();
  double width = 0;
  std::vector<std::string> lines = settings_lines(p);
  lines.insert(lines.begin(), fmt::format("{}  input {} -> output {}", picture_op_name(p.op),
                                          dims(p.rows.input_size(), p.cols.input_size()),
                                          dims(p.rows.outputs(), p.cols.outputs())));
  scene.title = lines.front();
  double y = add_header(scene, lines, width);
  // The caption line, filled per frame below.
  const double caption_y = y;
  y += kLine;

  const double cell = pick_cell(p, options.cell, true);
  f.canvas = place_canvas(p, cell, y);
  const GridPlacement& canvas = f.canvas;
  f.output = GridPlacement{canvas.x + canvas.width() + kGap, canvas.y, cell, p.rows.outputs(),
                           p.cols.outputs()};
  const GridPlacement& output = *f.output;
  add_canvas(scene, p, canvas, canvas_heading(p), y + kLine / 2);
  scene.add(Label{output.x,
                  y + kLine / 2,
                  fmt::format("output {}", dims(p.rows.outputs(), p.cols.outputs())),
                  kTextSize,
                  palette::kText,
                  Anchor::kStart,
                  {}});
  for (std::int64_t r = 0; r < canvas.rows; ++r) {
    for (std::int64_t c = 0; c < canvas.cols; ++c) {
      add_cell(scene, canvas, {r, c}, cell_style(p.kind({r, c})));
    }
  }
  const CellStyle empty{
      palette::kOutputEmpty, palette::kOutputLine, std::nullopt, "", palette::kText, "output"};
  for (std::int64_t r = 0; r < output.rows; ++r) {
    for (std::int64_t c = 0; c < output.cols; ++c) add_cell(scene, output, {r, c}, empty);
  }

  const double line_width = cell >= 10 ? 2 : 1;
  const CellStyle done{palette::kOutputDone, palette::kOutputLine, std::nullopt, "",
                       palette::kText,       "output-done"};
  const CellStyle current{palette::kTap,  palette::kWindowLine, std::nullopt, "",
                          palette::kText, "output-current"};
  for (std::int64_t frame = 0; frame < frames; ++frame) {
    const Cell out = p.output_of_frame(frame);
    add_cell(scene, output, out, done, {frame, frames - 1});
    const Visible now{frame, frame};
    const std::vector<Cell> taps = p.taps(frame);
    for (const Cell& t : taps) add_cell(scene, canvas, t, tap_style(p.kind(t)), now);
    add_outline(scene, canvas, taps.front(), taps.back(), palette::kWindowLine, line_width,
                "window", now);
    add_cell(scene, output, out, current, now);
    add_outline(scene, output, out, out, palette::kWindowLine, line_width, "output-outline", now);
    const std::string text = caption(p, frame);
    scene.add(Label{kMargin, caption_y, text, kTextSize, palette::kText, Anchor::kStart, now});
    width = std::max(width, kMargin + text_width(text, kTextSize));
  }

  std::vector<LegendEntry> legend = {{cell_style(CellKind::kInput), "input pixel"}};
  const bool any_padding = has_kind(p, CellKind::kPadding);
  const bool any_zero = has_kind(p, CellKind::kInsertedZero);
  if (any_padding) legend.push_back({cell_style(CellKind::kPadding), "padding (zeros)"});
  if (any_zero) legend.push_back({cell_style(CellKind::kInsertedZero), "inserted zero"});
  legend.push_back({tap_style(CellKind::kInput), "tap of the current window"});
  if (any_padding) legend.push_back({tap_style(CellKind::kPadding), "tap on padding"});
  if (any_zero) legend.push_back({tap_style(CellKind::kInsertedZero), "tap on an inserted zero"});
  legend.push_back({done, "output written"});
  legend.push_back({current, "output being written"});
  const double bottom = std::max(canvas.y + canvas.height(), output.y + output.height());
  const double legend_height = add_legend(scene, kMargin, bottom + kLine, legend);
  for (const LegendEntry& e : legend) {
    width = std::max(width, kMargin + 22 + text_width(e.text, kTextSize));
  }

  scene.width = std::ceil(std::max(width, output.x + output.width()) + kMargin);
  scene.height = std::ceil(bottom + kLine + legend_height + kMargin);
  return f;
}

Figure draw_coverage(const StridePicture& p, const FigureOptions& options) {
  Figure f;
  Scene& scene = f.scene;
  double width = 0;

  std::int64_t most = 0, least = -1, skipped = 0, dropped = 0, pixels = 0;
  for (std::int64_t r = 0; r < p.rows.cells(); ++r) {
    for (std::int64_t c = 0; c < p.cols.cells(); ++c) {
      if (p.kind({r, c}) != CellKind::kInput) continue;
      ++pixels;
      most = std::max(most, p.reads({r, c}));
      least = least < 0 ? p.reads({r, c}) : std::min(least, p.reads({r, c}));
      skipped += p.unread({r, c}) == Unread::kSkipped ? 1 : 0;
      dropped += p.unread({r, c}) == Unread::kDropped ? 1 : 0;
    }
  }
  std::vector<std::string> lines = settings_lines(p);
  lines.insert(lines.begin(),
               fmt::format("{}  input {}: windows reading each pixel", picture_op_name(p.op),
                           dims(p.rows.input_size(), p.cols.input_size())));
  lines.push_back(fmt::format(
      "output {}; each pixel is read by {} windows; {} of {} pixels never read ({} between "
      "windows, {} past the last window)",
      dims(p.rows.outputs(), p.cols.outputs()),
      least == most ? std::to_string(most) : fmt::format("{}..{}", least, most), skipped + dropped,
      pixels, skipped, dropped));
  scene.title = lines.front();
  const double y = add_header(scene, lines, width);

  f.canvas = place_canvas(p, pick_cell(p, options.cell, false), y);
  const GridPlacement& canvas = f.canvas;
  add_canvas(scene, p, canvas, canvas_heading(p), y + kLine / 2);
  for (std::int64_t r = 0; r < canvas.rows; ++r) {
    for (std::int64_t c = 0; c < canvas.cols; ++c) {
      const Cell cell{r, c};
      const CellKind kind = p.kind(cell);
      if (kind != CellKind::kInput) {
        add_cell(scene, canvas, cell, cell_style(kind));
        continue;
      }
      CellStyle s = cell_style(kind);
      switch (p.unread(cell)) {
        case Unread::kRead:
          s.fill = heat_color(p.reads(cell), most);
          s.role = "covered";
          break;
        case Unread::kSkipped:
          s.fill = palette::kSkipped;
          s.hatch = palette::kSkippedLine;
          s.stroke = palette::kSkippedLine;
          s.role = "skipped";
          break;
        case Unread::kDropped:
          s.fill = palette::kDropped;
          s.stroke = palette::kSkippedLine;
          s.role = "dropped";
          break;
      }
      s.text = std::to_string(p.reads(cell));
      s.text_color = text_on(*s.fill);
      add_cell(scene, canvas, cell, s);
    }
  }

  const auto swatch = [](Color fill, Color stroke, std::optional<Color> hatch) {
    CellStyle s;
    s.fill = fill;
    s.stroke = stroke;
    s.hatch = hatch;
    return s;
  };
  std::vector<LegendEntry> legend;
  if (most >= 1) {
    legend.push_back({swatch(heat_color(1, most), palette::kGridLine, {}), "read by 1 window"});
  }
  if (most > 1) {
    legend.push_back({swatch(heat_color(most, most), palette::kGridLine, {}),
                      fmt::format("read by {} windows", most)});
  }
  legend.push_back({swatch(palette::kSkipped, palette::kSkippedLine, palette::kSkippedLine),
                    "never read: between windows (stride > kernel, or a dilation hole)"});
  legend.push_back({swatch(palette::kDropped, palette::kSkippedLine, {}),
                    "never read: past the last window (the border VALID drops)"});
  if (has_kind(p, CellKind::kPadding)) {
    legend.push_back({cell_style(CellKind::kPadding), "padding"});
  }
  if (has_kind(p, CellKind::kInsertedZero)) {
    legend.push_back({cell_style(CellKind::kInsertedZero), "inserted zero"});
  }
  const double bottom = canvas.y + canvas.height();
  const double legend_height = add_legend(scene, kMargin, bottom + kLine, legend);
  for (const LegendEntry& e : legend) {
    width = std::max(width, kMargin + 22 + text_width(e.text, kTextSize));
  }
  scene.width = std::ceil(std::max(width, canvas.x + canvas.width()) + kMargin);
  scene.height = std::ceil(bottom + kLine + legend_height + kMargin);
  return f;
}

}  // namespace strider::viz
