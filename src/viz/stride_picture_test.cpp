// The frame model against geometry: every cell, tap and read count of a picture is the one the
// Windows give, over sweeps of sizes, kernels, strides, dilations and paddings.
#include "strider/viz/stride_picture.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>

#include "strider/core/error.hpp"

namespace strider::viz {
namespace {

// Every (input, kernel, stride, dilation, padding) of the sweep whose window geometry accepts.
template <typename F>
void for_each_window(F&& f) {
  for (std::int64_t n = 1; n <= 9; ++n) {
    for (std::int64_t k = 1; k <= 4; ++k) {
      for (std::int64_t s = 1; s <= 4; ++s) {
        for (std::int64_t d = 1; d <= 3; ++d) {
          for (const PaddingKind p : {PaddingKind::kValid, PaddingKind::kSame}) {
            WindowSpec spec{k, s, d, {p, 0, 0}};
            if (p == PaddingKind::kValid && (k - 1) * d + 1 > n) continue;
            f(Window::make(n, spec, "test", "height"),
              fmt::format("n={} k={} s={} d={} {}", n, k, s, d, padding_kind_name(p)));
          }
        }
      }
    }
  }
}

std::string kinds(const AxisPicture& a) {
  std::string text;
  for (std::int64_t c = 0; c < a.cells(); ++c) {
    text.push_back(a.kind(c) == CellKind::kInput     ? 'I'
                   : a.kind(c) == CellKind::kPadding ? 'P'
                                                     : 'Z');
  }
  return text;
}

TEST(AxisPicture, ConvCanvasIsThePaddedInputAndTapsAreTheWindows) {
  for_each_window([](const Window& w, const std::string& what) {
    const AxisPicture a = AxisPicture::of_window(w, "height");
    ASSERT_EQ(a.cells(), w.pad_before() + w.input_size() + w.pad_after()) << what;
    ASSERT_EQ(a.outputs(), w.output_size()) << what;
    for (std::int64_t c = 0; c < a.cells(); ++c) {
      const std::int64_t i = c - w.pad_before();
      const bool inside = i >= 0 && i < w.input_size();
      EXPECT_EQ(a.kind(c), inside ? CellKind::kInput : CellKind::kPadding) << what << " c=" << c;
      EXPECT_EQ(a.input_at(c), inside ? i : -1) << what;
    }
    std::int64_t unread = 0;
    for (std::int64_t c = 0; c < a.cells(); ++c) {
      if (a.input_at(c) < 0) continue;
      EXPECT_EQ(a.reads(c), w.reads_of(a.input_at(c))) << what << " c=" << c;
      unread += a.unread(c) != Unread::kRead ? 1 : 0;
    }
    EXPECT_EQ(unread, w.unread_inputs()) << what;
    for (std::int64_t o = 0; o < w.output_size(); ++o) {
      for (std::int64_t j = 0; j < w.kernel_size(); ++j) {
        const std::int64_t cell = a.tap_cell(o, j);
        ASSERT_GE(cell, 0) << what;
        ASSERT_LT(cell, a.cells()) << what;
        EXPECT_EQ(a.input_at(cell) >= 0 ? a.input_at(cell) : cell - w.pad_before(), w.tap(o, j))
            << what;
        EXPECT_EQ(a.filter_tap(j), j);
      }
    }
  });
}

TEST(AxisPicture, UnreadPixelsAreSkippedBetweenWindowsOrDroppedPastTheLast) {
  // Input 9, kernel 2, stride 3, VALID: windows read 0-1, 3-4 and 6-7; 2 and 5 lie between
  // windows and 8 is past the last one.
  const Window w = Window::make(9, {2, 3, 1, {}}, "test", "height");
  const AxisPicture a = AxisPicture::of_window(w, "height");
  std::string marks;
  for (std::int64_t c = 0; c < a.cells(); ++c) {
    marks.push_back(a.unread(c) == Unread::kRead      ? 'r'
                    : a.unread(c) == Unread::kSkipped ? 's'
                                                      : 'd');
  }
  EXPECT_EQ(marks, "rrsrrsrrd");
}

// A transposed convolution's picture must reproduce geometry's scatter: input i reaches output
// o through filter tap t exactly when forward.tap(i, t) == o.
void expect_transpose_matches(const Conv2DTransposeGeometry& g, const std::string& what) {
  for (const Window* forward : {&g.height, &g.width}) {
    const AxisPicture a = AxisPicture::of_transpose(*forward, "height");
    ASSERT_EQ(a.outputs(), forward->input_size()) << what;
    ASSERT_EQ(a.input_size(), forward->output_size()) << what;
    std::set<std::pair<std::int64_t, std::int64_t>> gathered, scattered;  // (input, output)
    for (std::int64_t o = 0; o < a.outputs(); ++o) {
      for (std::int64_t j = 0; j < a.kernel_size(); ++j) {
        const std::int64_t i = a.input_at(a.tap_cell(o, j));
        if (i < 0) continue;
        EXPECT_EQ(forward->tap(i, a.filter_tap(j)), o) << what << " o=" << o << " j=" << j;
        gathered.insert({i, o});
      }
    }
    for (std::int64_t i = 0; i < forward->output_size(); ++i) {
      for (std::int64_t t = 0; t < forward->kernel_size(); ++t) {
        const std::int64_t o = forward->tap(i, t);
        if (o >= 0 && o < forward->input_size()) scattered.insert({i, o});
      }
    }
    EXPECT_EQ(gathered, scattered) << what;
    // stride - 1 inserted zeros between neighbouring inputs, none elsewhere inside.
    std::int64_t zeros = 0, inputs = 0;
    for (std::int64_t c = 0; c < a.cells(); ++c) {
      zeros += a.kind(c) == CellKind::kInsertedZero ? 1 : 0;
      inputs += a.kind(c) == CellKind::kInput ? 1 : 0;
    }
    EXPECT_EQ(inputs, forward->output_size()) << what;
    EXPECT_EQ(zeros, (forward->output_size() - 1) * (forward->stride() - 1)) << what;
  }
}

TEST(AxisPicture, TransposedConvolutionIsAStrideOneConvolutionOverInsertedZeros) {
  for (std::int64_t n = 1; n <= 5; ++n) {
    for (std::int64_t k = 1; k <= 4; ++k) {
      for (std::int64_t s = 1; s <= 3; ++s) {
        for (std::int64_t d = 1; d <= 2; ++d) {
          for (const Padding2D& p : {Padding2D::valid(), Padding2D::same()}) {
            for (std::int64_t extra = 0; extra < s; ++extra) {
              Conv2DTransposeParams params;
              params.strides = {s, s};
              params.dilation = {d, d};
              params.padding = p;
              params.output_padding = Pair2D{extra, 0};
              const std::string what = fmt::format("n={} k={} s={} d={} {} output_padding={}", n, k,
                                                   s, d, p.to_string(), extra);
              Conv2DTransposeGeometry g;
              try {
                g = Conv2DTransposeGeometry::make(Shape{1, n, n, 1}, Shape{k, k, 1, 1}, params);
              } catch (const Error&) {
                continue;  // an output_padding that Keras refuses for this configuration
              }
              expect_transpose_matches(g, what);
            }
          }
        }
      }
    }
  }
}

TEST(AxisPicture, TransposedSameStrideTwoLooksLikeTheTextbookFigure) {
  // Input 3, kernel 3, stride 2, SAME: output 6. The forward window over 6 has pads (0, 1), so
  // the canvas is 2 cells of padding, the input with one zero between pixels, 1 cell of padding.
  Conv2DTransposeParams params;
  params.strides = {2, 2};
  params.padding = Padding2D::same();
  const auto g = Conv2DTransposeGeometry::make(Shape{1, 3, 3, 1}, Shape{3, 3, 1, 1}, params);
  const AxisPicture a = AxisPicture::of_transpose(g.height, "height");
  EXPECT_EQ(kinds(a), "PPIZIZIP");
  EXPECT_EQ(a.outputs(), 6);
  EXPECT_EQ(a.tap_cell(0, 0), 0);
  EXPECT_EQ(a.tap_cell(5, 2), 7);
  EXPECT_EQ(a.filter_tap(0), 2);
  EXPECT_TRUE(a.transposed());
}

TEST(AxisPicture, TransposedInputsCroppedByPaddingAreDrawnButNeverRead) {
  // Kernel 1, stride 1, two rows of explicit padding before: output 1, and only input 2 reaches
  // it; inputs 0 and 1 land before the output.
  Conv2DTransposeParams params;
  params.padding = Padding2D::explicit_pads(2, 0, 0, 0);
  const auto g = Conv2DTransposeGeometry::make(Shape{1, 3, 1, 1}, Shape{1, 1, 1, 1}, params);
  ASSERT_EQ(g.height.input_size(), 1);
  const AxisPicture a = AxisPicture::of_transpose(g.height, "height");
  EXPECT_EQ(kinds(a), "III");
  EXPECT_EQ(a.reads(0), 0);
  EXPECT_EQ(a.reads(1), 0);
  EXPECT_EQ(a.reads(2), 1);
  EXPECT_EQ(a.unread(0), Unread::kDropped);
  expect_transpose_matches(g, "cropped");
}

TEST(StridePicture, FramesAreOutputPositionsRowMajorAndTapsAreTheProductOfTheAxes) {
  Conv2DParams params;
  params.strides = {2, 3};
  params.dilation = {1, 2};
  params.padding = Padding2D::same();
  const auto g = Conv2DGeometry::make(Shape{1, 7, 8, 1}, Shape{3, 2, 1, 1}, params);
  const StridePicture p = StridePicture::of(g);
  ASSERT_EQ(p.frames(), g.positions());
  for (std::int64_t f = 0; f < p.frames(); ++f) {
    const Cell out = p.output_of_frame(f);
    EXPECT_EQ(out.row * g.width.output_size() + out.col, f);
    const std::vector<Cell> taps = p.taps(f);
    ASSERT_EQ(taps.size(), 6u);
    for (std::int64_t i = 0; i < 3; ++i) {
      for (std::int64_t j = 0; j < 2; ++j) {
        const Cell c = taps[static_cast<std::size_t>(i * 2 + j)];
        EXPECT_EQ(c.row - g.height.pad_before(), g.height.tap(out.row, i)) << f;
        EXPECT_EQ(c.col - g.width.pad_before(), g.width.tap(out.col, j)) << f;
      }
    }
  }
  EXPECT_EQ(p.kind({0, 0}), g.height.pad_before() > 0 ? CellKind::kPadding : CellKind::kInput);
  EXPECT_EQ(p.reads({g.height.pad_before() + 3, g.width.pad_before() + 3}),
            g.height.reads_of(3) * g.width.reads_of(3));
}

TEST(StridePicture, PoolingUsesThePoolWindows) {
  Pool2DParams params;
  params.pool_size = {3, 3};  // strides default to the pool size, as in Keras
  const auto g = Pool2DGeometry::make(Shape{1, 7, 7, 1}, params);
  const StridePicture p = StridePicture::of(g);
  EXPECT_EQ(p.op, PictureOp::kPool);
  EXPECT_EQ(p.frames(), 4);
  EXPECT_EQ(p.taps(3).front(), (Cell{3, 3}));
  EXPECT_EQ(p.unread({6, 0}), Unread::kDropped);  // VALID drops the last row
  EXPECT_STREQ(picture_op_name(p.op), "pool");
}

TEST(StridePicture, TransposedCellsOfTwoAxesCombinePaddingOverZerosOverInput) {
  Conv2DTransposeParams params;
  params.strides = {2, 2};
  params.padding = Padding2D::same();
  const auto g = Conv2DTransposeGeometry::make(Shape{1, 3, 3, 1}, Shape{3, 3, 1, 1}, params);
  const StridePicture p = StridePicture::of(g);
  EXPECT_EQ(p.frames(), 36);
  EXPECT_EQ(p.kind({0, 2}), CellKind::kPadding);
  EXPECT_EQ(p.kind({3, 2}), CellKind::kInsertedZero);
  EXPECT_EQ(p.kind({2, 4}), CellKind::kInput);
}

TEST(StridePicture, RefusesPicturesTooLargeToDraw) {
  const auto wide = Conv2DGeometry::make(Shape{1, 5, 200, 1}, Shape{3, 3, 1, 1}, {});
  try {
    StridePicture::of(wide);
    FAIL() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("width axis would be 200 cells"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("at most 128"), std::string::npos) << e.what();
  }
  Conv2DParams same;
  same.padding = Padding2D::same();
  const auto many = Conv2DGeometry::make(Shape{1, 33, 33, 1}, Shape{3, 3, 1, 1}, same);
  const StridePicture p = StridePicture::of(many);     // fits as a picture ...
  EXPECT_THROW(check_animatable(p), InvalidArgument);  // ... but not as 1089 frames
  const auto fits = Conv2DGeometry::make(Shape{1, 32, 32, 1}, Shape{3, 3, 1, 1}, same);
  EXPECT_NO_THROW(check_animatable(StridePicture::of(fits)));
}

}  // namespace
}  // namespace strider::viz
