// The stride figures against the frame model: one frame per output position, each frame's
// highlighted cells exactly the window's taps, in the scene, in the SVG and in the pixels.
#include "strider/viz/stride_figure.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <utility>
#include <variant>

#include "strider/core/error.hpp"
#include "strider/viz/render.hpp"

namespace strider::viz {
namespace {

using CellSet = std::set<std::pair<std::int64_t, std::int64_t>>;

bool is_tap_role(const std::string& role) { return role.rfind("tap", 0) == 0; }

CellSet cells_of(const std::vector<Cell>& cells) {
  CellSet set;
  for (const Cell& c : cells) set.insert({c.row, c.col});
  return set;
}

// The canvas boxes shown only in `frame` whose role marks a tap.
CellSet tap_boxes(const Scene& scene, std::int64_t frame) {
  CellSet set;
  for (const Item& item : scene.items) {
    const Box* b = std::get_if<Box>(&item);
    if (b != nullptr && is_tap_role(b->role) && b->visible == Visible{frame, frame}) {
      set.insert(*b->cell);
    }
  }
  return set;
}

// A pixel inside a cell clear of its border, the window outline, hatch lines and centred text.
std::pair<std::int64_t, std::int64_t> sample(const GridPlacement& g, Cell c) {
  std::int64_t x = static_cast<std::int64_t>(g.left(c.col)) + 3;
  const std::int64_t y = static_cast<std::int64_t>(g.top(c.row)) + 3;
  if ((x + y) % 6 == 0) ++x;
  return {x, y};
}

StridePicture conv_picture(Shape input, Shape filter, Conv2DParams params) {
  return StridePicture::of(Conv2DGeometry::make(input, filter, params));
}

std::vector<StridePicture> pictures() {
  std::vector<StridePicture> out;
  Conv2DParams same;
  same.strides = {2, 2};
  same.padding = Padding2D::same();
  out.push_back(conv_picture({1, 7, 7, 1}, {3, 3, 1, 1}, same));  // the issue's example
  Conv2DParams uneven;
  uneven.strides = {1, 3};
  uneven.dilation = {2, 1};
  uneven.padding = Padding2D::explicit_pads(1, 0, 2, 1);
  out.push_back(conv_picture({1, 6, 9, 1}, {2, 3, 1, 1}, uneven));
  Pool2DParams pool;
  pool.pool_size = {2, 3};
  pool.padding = Padding2D::same();
  out.push_back(StridePicture::of(Pool2DGeometry::make(Shape{1, 5, 7, 1}, pool)));
  Conv2DTransposeParams transpose;
  transpose.strides = {2, 3};
  transpose.padding = Padding2D::same();
  out.push_back(StridePicture::of(
      Conv2DTransposeGeometry::make(Shape{1, 3, 2, 1}, Shape{3, 3, 1, 1}, transpose)));
  return out;
}

TEST(DrawAnimation, OneFramePerOutputPositionHighlightingExactlyTheTaps) {
  for (const StridePicture& p : pictures()) {
    const Figure f = draw_animation(p);
    ASSERT_EQ(f.scene.frames, p.frames()) << picture_op_name(p.op);
    ASSERT_TRUE(f.output.has_value());
    EXPECT_EQ(f.output->rows * f.output->cols, p.frames());
    for (std::int64_t frame = 0; frame < p.frames(); ++frame) {
      EXPECT_EQ(tap_boxes(f.scene, frame), cells_of(p.taps(frame)))
          << picture_op_name(p.op) << " frame " << frame;
      // The output cell being written is the frame's output position.
      const Cell out = p.output_of_frame(frame);
      const bool found =
          std::any_of(f.scene.items.begin(), f.scene.items.end(), [&](const Item& i) {
            const Box* b = std::get_if<Box>(&i);
            return b != nullptr && b->role == "output-current" &&
                   b->visible == Visible{frame, frame} && *b->cell == std::pair{out.row, out.col};
          });
      EXPECT_TRUE(found) << picture_op_name(p.op) << " frame " << frame;
    }
  }
}

TEST(DrawAnimation, EveryRasterFrameShowsTheTapsAndOnlyThem) {
  for (const StridePicture& p : pictures()) {
    const Figure f = draw_animation(p);
    for (std::int64_t frame = 0; frame < p.frames(); ++frame) {
      const Image image = rasterize(f.scene, frame);
      const CellSet taps = cells_of(p.taps(frame));
      for (std::int64_t r = 0; r < f.canvas.rows; ++r) {
        for (std::int64_t c = 0; c < f.canvas.cols; ++c) {
          const CellKind kind = p.kind({r, c});
          const Color want = *(taps.count({r, c}) ? tap_style(kind) : cell_style(kind)).fill;
          const auto [x, y] = sample(f.canvas, {r, c});
          ASSERT_EQ(image.at(x, y), want)
              << picture_op_name(p.op) << " frame " << frame << " cell " << r << "," << c;
        }
      }
      // Outputs before this frame are written, this one is being written, later ones are empty.
      for (std::int64_t o = 0; o < p.frames(); ++o) {
        const Cell out = p.output_of_frame(o);
        const auto [x, y] = sample(*f.output, out);
        const Color want = o < frame    ? palette::kOutputDone
                           : o == frame ? palette::kTap
                                        : palette::kOutputEmpty;
        ASSERT_EQ(image.at(x, y), want) << "frame " << frame << " output " << o;
      }
    }
  }
}

TEST(DrawAnimation, SvgAnimatesEachFramesTapsWithoutScript) {
  const StridePicture p = pictures().front();
  const std::string svg = to_svg(draw_animation(p, {500, 0}).scene);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_NE(svg.find("data-frames=\"16\" data-frame-ms=\"500\""), std::string::npos);
  for (std::int64_t frame = 0; frame < p.frames(); ++frame) {
    // The group shown only in this frame, up to its closing line.
    const std::string open = fmt::format("data-frames=\"{0}-{0}\">\n", frame);
    const std::size_t begin = svg.find(open);
    ASSERT_NE(begin, std::string::npos) << frame;
    const std::string group = svg.substr(begin, svg.find("\n</g>\n", begin) - begin);
    EXPECT_NE(group.find("dur=\"8000ms\""), std::string::npos) << group;
    EXPECT_NE(group.find("calcMode=\"discrete\""), std::string::npos);
    CellSet tapped;
    const std::regex tap_rect(R"re(class="tap[a-z-]*" data-cell="(\d+),(\d+)")re");
    for (std::sregex_iterator it(group.begin(), group.end(), tap_rect), end; it != end; ++it) {
      tapped.insert({std::stoll((*it)[1]), std::stoll((*it)[2])});
    }
    EXPECT_EQ(tapped, cells_of(p.taps(frame))) << "frame " << frame;
  }
  // Frame 0 shows in a still viewer; later frames start hidden.
  EXPECT_NE(svg.find("<g visibility=\"visible\" data-frames=\"0-0\">"), std::string::npos);
  EXPECT_NE(svg.find("<g visibility=\"hidden\" data-frames=\"1-1\">"), std::string::npos);
}

TEST(DrawAnimation, CaptionsNameTheWindowFromGeometry) {
  const StridePicture p = pictures().front();  // 7x7, kernel 3, stride 2, SAME: pads 1, 1
  const Figure f = draw_animation(p);
  std::vector<std::string> captions;
  for (const Item& item : f.scene.items) {
    const Label* l = std::get_if<Label>(&item);
    if (l != nullptr && l->visible == Visible{0, 0}) captions.push_back(l->text);
  }
  ASSERT_EQ(captions.size(), 1u);
  EXPECT_EQ(captions[0], "output (0, 0) reads rows -1..1, cols -1..1; 5 of 9 taps in padding");
}

TEST(DrawAnimation, RefusesMoreFramesThanTheLimit) {
  Conv2DParams same;
  same.padding = Padding2D::same();
  EXPECT_THROW(draw_animation(conv_picture({1, 40, 40, 1}, {3, 3, 1, 1}, same)), InvalidArgument);
}

TEST(DrawCoverage, MarksSkippedAndDroppedPixelsAndCountsReads) {
  // Height: input 9, kernel 2, stride 3, VALID reads rows 0-1, 3-4, 6-7; 2 and 5 are skipped and
  // 8 is dropped. Width: input 4, kernel 2, stride 1 reads every column (1, 2, 2, 1 times).
  Conv2DParams params;
  params.strides = {3, 1};
  const StridePicture p = conv_picture({1, 9, 4, 1}, {2, 2, 1, 1}, params);
  const Figure f = draw_coverage(p);
  EXPECT_EQ(f.scene.frames, 1);
  EXPECT_FALSE(f.output.has_value());
  std::map<std::pair<std::int64_t, std::int64_t>, std::string> roles;
  for (const Item& item : f.scene.items) {
    if (const Box* b = std::get_if<Box>(&item); b != nullptr && b->cell) roles[*b->cell] = b->role;
  }
  for (std::int64_t r = 0; r < 9; ++r) {
    for (std::int64_t c = 0; c < 4; ++c) {
      const std::string want = r == 8 ? "dropped" : (r == 2 || r == 5) ? "skipped" : "covered";
      const std::string& role = roles[std::pair{r, c}];
      EXPECT_EQ(role, want) << r << "," << c;
    }
  }
  const Image image = rasterize(f.scene, 0);
  const auto at = [&](std::int64_t r, std::int64_t c) {
    const auto [x, y] = sample(f.canvas, {r, c});
    return image.at(x, y);
  };
  EXPECT_EQ(at(0, 0), heat_color(1, 2));
  EXPECT_EQ(at(0, 1), heat_color(2, 2));
  EXPECT_EQ(at(8, 0), palette::kDropped);
  EXPECT_EQ(at(2, 0), palette::kSkipped);
  bool summary = false;
  for (const Item& item : f.scene.items) {
    const Label* l = std::get_if<Label>(&item);
    summary = summary || (l != nullptr &&
                          l->text.find("12 of 36 pixels never read (8 between "
                                       "windows, 4 past the last window)") != std::string::npos);
  }
  EXPECT_TRUE(summary);
}

TEST(DrawCoverage, TransposedConvolutionShowsInsertedZeros) {
  const StridePicture p = pictures().back();
  const Figure f = draw_coverage(p);
  const Image image = rasterize(f.scene, 0);
  for (std::int64_t r = 0; r < f.canvas.rows; ++r) {
    for (std::int64_t c = 0; c < f.canvas.cols; ++c) {
      const auto [x, y] = sample(f.canvas, {r, c});
      if (p.kind({r, c}) == CellKind::kInsertedZero) {
        EXPECT_EQ(image.at(x, y), palette::kZero);
      } else if (p.kind({r, c}) == CellKind::kPadding) {
        EXPECT_EQ(image.at(x, y), palette::kPadding);
      }
    }
  }
}

}  // namespace
}  // namespace strider::viz
