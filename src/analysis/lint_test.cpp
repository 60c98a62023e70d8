// Tests of analysis::lint: each rule fires on a minimal model with its exact numbers and stays
// quiet on the nearest clean one; the counts agree with Window::unread_inputs over a sweep.
#include "strider/analysis/lint.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "strider/model/builtin.hpp"
#include "strider/model/resolve.hpp"
#include "strider/model/spec.hpp"

namespace strider::analysis {
namespace {

std::vector<Finding> lint_spec(std::string_view spec) {
  return lint(model::resolve(model::parse_model_spec(spec)));
}

// "rule@layer" of every finding, in order: the whole list at a glance.
std::vector<std::string> ids(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const Finding& f : findings) out.push_back(f.rule + "@" + f.layer);
  return out;
}

const Finding& only(const std::vector<Finding>& findings, std::string_view rule) {
  const Finding* found = nullptr;
  for (const Finding& f : findings) {
    if (f.rule != rule) continue;
    EXPECT_EQ(found, nullptr) << "two findings of " << rule;
    found = &f;
  }
  if (found == nullptr) {
    ADD_FAILURE() << "no finding of " << rule;
    static const Finding none;
    return none;
  }
  return *found;
}

using Ids = std::vector<std::string>;

TEST(Lint, StrideLargerThanKernelCountsEveryUnreadPixel) {
  // Stride 2, kernel 1 on 10: windows read 0, 2, 4, 6, 8; the odd rows and columns are never
  // read, 100 - 5 * 5 = 75 pixels.
  const auto f = lint_spec("x: input(10,10,1); c: conv(8,1,strides=2)");
  ASSERT_EQ(ids(f), (Ids{"input-unread@x", "stride-exceeds-kernel@c"}));
  const Finding& stride = f[1];
  EXPECT_EQ(stride.severity, Severity::kWarning);
  EXPECT_EQ(stride.message,
            "rows and columns each: stride 2 > kernel 1, 5 of 10 never read; 75 of 100 input "
            "pixels (75.0%) are read by no window");
  EXPECT_EQ(stride.suggestion,
            "use kernel_size >= stride, or downsample by average pooling first (e.g. avgpool(2) "
            "before this layer with stride 1)");
  const Finding& unread = f[0];
  EXPECT_EQ(unread.severity, Severity::kError);
  EXPECT_EQ(unread.message,
            "5 of 10 rows (1, 3, 5, 7, ...) and 5 of 10 columns (1, 3, 5, 7, ...) of the model "
            "input reach no model output through any path: 75 of 100 input pixels (75.0%) are "
            "lost");
}

TEST(Lint, StrideEqualToKernelIsClean) {
  EXPECT_TRUE(lint_spec("x: input(10,10,1); c: conv(8,2,strides=2)").empty());
  EXPECT_TRUE(lint_spec("x: input(10,10,1); p: maxpool(2)").empty());
}

TEST(Lint, StrideOnOneAxisOnlyNamesThatAxis) {
  // Strides 2x1, kernel 1x3 on 10x9: rows 1, 3, 5, 7, 9 unread; 90 - 5 * 9 = 45 pixels.
  const auto f = lint_spec("x: input(10,9,1); c: conv(8,1x3,strides=2x1)");
  EXPECT_EQ(only(f, "stride-exceeds-kernel").message,
            "rows: stride 2 > kernel 1, 5 of 10 never read; 45 of 90 input pixels (50.0%) are "
            "read by no window");
}

TEST(Lint, PoolingWithStrideLargerThanPool) {
  const auto f = lint_spec("x: input(9,9,1); p: maxpool(1,strides=3)");
  EXPECT_EQ(only(f, "stride-exceeds-kernel").message,
            "rows and columns each: stride 3 > pool 1, 6 of 9 never read; 72 of 81 input pixels "
            "(88.9%) are read by no window");
}

TEST(Lint, GapsAndBorderSplitTheUnreadPositionsOfGeometry) {
  // Kernel 2, stride 3, VALID on 13: windows at 0, 3, 6, 9 read 0-1, 3-4, 6-7, 9-10; 2, 5, 8 and
  // 11 lie between windows (11 too: one more window would start at 12) and 12 is the border.
  const model::ResolvedModel m =
      model::resolve(model::parse_model_spec("x: input(13,13,1); c: conv(4,2,strides=3)"));
  ASSERT_EQ(m.layers[1].height->unread_inputs(), 5);
  const auto f = lint(m);
  ASSERT_EQ(ids(f), (Ids{"input-unread@x", "stride-exceeds-kernel@c", "valid-drops-border@c"}));
  EXPECT_EQ(f[1].message,
            "rows and columns each: stride 3 > kernel 2, 4 of 13 never read; 88 of 169 input "
            "pixels (52.1%) are read by no window");
  EXPECT_EQ(f[2].message,
            "padding 'valid' drops what one more window would read: rows: the bottom 1 of 13; "
            "columns: the right 1 of 13; 25 of 169 input pixels (14.8%)");
  EXPECT_EQ(f[2].suggestion,
            "use padding=same, or a layer input of 11 or 14 rows and 11 or 14 columns (the last "
            "window then ends at the edge)");
  // 13 * 13 - 8 * 8 pixels: the input-unread error counts both causes together.
  EXPECT_EQ(f[0].message,
            "5 of 13 rows (2, 5, 8, 11-12) and 5 of 13 columns (2, 5, 8, 11-12) of the model input "
            "reach no model output through any path: 105 of 169 input pixels (62.1%) are lost");
}

TEST(Lint, ValidDropsBorder) {
  // Kernel 3, stride 2, VALID on 10: 4 windows read rows 0-8; a fifth would read row 9.
  const auto f = lint_spec("x: input(10,10,1); c: conv(4,3,strides=2)");
  ASSERT_EQ(ids(f), (Ids{"input-unread@x", "valid-drops-border@c"}));
  EXPECT_EQ(f[1].message,
            "padding 'valid' drops what one more window would read: rows: the bottom 1 of 10; "
            "columns: the right 1 of 10; 19 of 100 input pixels (19.0%)");
  EXPECT_EQ(f[1].suggestion,
            "use padding=same, or a layer input of 9 or 11 rows and 9 or 11 columns (the last "
            "window then ends at the edge)");
  EXPECT_EQ(f[0].message,
            "1 of 10 rows (9) and 1 of 10 columns (9) of the model input reach no model output "
            "through any path: 19 of 100 input pixels (19.0%) are lost");
}

TEST(Lint, ValidThatFitsIsClean) {
  EXPECT_TRUE(lint_spec("x: input(11,11,1); c: conv(4,3,strides=2)").empty());
}

TEST(Lint, ZeroPaddingThatValidDropsIsNotReported) {
  // 8 + 2 = 10 rows; the dropped row 9 is the bottom padding row.
  EXPECT_TRUE(lint_spec("x: input(8,8,1); p: zeropad(1); c: conv(4,3,strides=2)").empty());
}

TEST(Lint, ZeroPaddingIsLeftOutOfTheCounts) {
  // 8 + 2 rows, stride 2 > kernel 1: windows read 0, 2, ..., 8; of the data rows 1-8 the odd
  // ones (1, 3, 5, 7) are unread: 64 - 4 * 4 = 48 of 64 data pixels.
  const auto f = lint_spec("x: input(8,8,1); p: zeropad(1); c: conv(4,1,strides=2)");
  EXPECT_EQ(only(f, "stride-exceeds-kernel").message,
            "rows and columns each: stride 2 > kernel 1, 4 of 8 never read; 48 of 64 input "
            "pixels (75.0%) are read by no window (zero padding not counted)");
}

TEST(Lint, CroppingIsNotAnError) {
  EXPECT_TRUE(lint_spec("x: input(10,10,1); cr: crop(1); c: conv(4,2,strides=2)").empty());
}

TEST(Lint, OneDimensionalLayersSpeakOfPositions) {
  const auto f = lint_spec("x: input(10,4); c: conv1d(8,1,strides=2)");
  ASSERT_EQ(ids(f), (Ids{"input-unread@x", "stride-exceeds-kernel@c"}));
  EXPECT_EQ(f[1].message,
            "positions: stride 2 > kernel 1, 5 of 10 never read; 5 of 10 input positions (50.0%) "
            "are read by no window");
  EXPECT_EQ(f[0].message,
            "5 of 10 positions (1, 3, 5, 7, ...) of the model input reach no model output through "
            "any path: 5 of 10 input positions (50.0%) are lost");
}

TEST(Lint, ABranchThatReadsEverythingKeepsTheStrideAWarning) {
  // A ResNet projection shortcut (1x1, stride 2) skips 4 of 9 rows; the main branch reads them.
  const auto f = lint_spec(
      "x: input(9,9,4); a: conv(4,3,padding=same); s: conv(4,1,strides=2,from=x); "
      "m: conv(4,3,strides=2,padding=same,from=a); add(s,m)");
  ASSERT_EQ(ids(f), (Ids{"stride-exceeds-kernel@s"}));
  EXPECT_EQ(f[0].message,
            "rows and columns each: stride 2 > kernel 1, 4 of 9 never read; 56 of 81 input pixels "
            "(69.1%) are read by no window");
}

TEST(Lint, AnInputNoOutputReadsIsAnError) {
  const auto f = lint_spec("a: input(4,4,1); b: input(4,4,1); c: conv(2,3,from=a)");
  ASSERT_EQ(ids(f), (Ids{"input-unread@b"}));
  EXPECT_EQ(f[0].message,
            "4 of 4 rows (0-3) and 4 of 4 columns (0-3) of the model input reach no model output "
            "through any path: 16 of 16 input pixels (100.0%) are lost");
}

TEST(Lint, DilationThatSharesTheStrideSkipsPositions) {
  // Dilation 2, stride 2, SAME on 10 (pads 1 and 2): every tap lands on an odd position.
  const auto f = lint_spec("x: input(10,10,1); c: conv(4,3,strides=2,dilation=2,padding=same)");
  ASSERT_EQ(ids(f), (Ids{"input-unread@x", "dilation-stride-gaps@c", "asymmetric-same@c"}));
  EXPECT_EQ(f[1].message,
            "rows and columns each: stride 2 with dilated kernel 5 (kernel 3, dilation 2), 5 of 10 "
            "never read; 75 of 100 input pixels (75.0%) are read by no window");
}

TEST(Lint, AsymmetricSame) {
  // Kernel 3, stride 2, SAME on 10: 5 outputs need 4 * 2 + 3 - 10 = 1 pad, put after.
  const auto f = lint_spec("x: input(10,10,1); c: conv(4,3,strides=2,padding=same)");
  ASSERT_EQ(ids(f), (Ids{"asymmetric-same@c"}));
  EXPECT_EQ(f[0].message,
            "padding 'same' pads unevenly, rows: 0 above and 1 below an input of 10 (kernel 3, "
            "stride 2); columns: 0 left of and 1 right of an input of 10 (kernel 3, stride 2): "
            "TensorFlow puts the extra row at the bottom and the extra column at the right, so "
            "the windows sit half a pixel off-centre (frameworks that pad symmetrically compute "
            "different numbers)");
  EXPECT_EQ(f[0].suggestion,
            "use a layer input of 9 or 11 rows and 9 or 11 columns (symmetric pads), or "
            "ZeroPadding2D with the pads you want and padding=valid");
}

TEST(Lint, SymmetricSameIsClean) {
  EXPECT_TRUE(lint_spec("x: input(11,11,1); c: conv(4,3,strides=2,padding=same)").empty());
  EXPECT_TRUE(lint_spec("x: input(10,10,1); c: conv(4,3,padding=same)").empty());
}

TEST(Lint, AsymmetricSameOfAnEvenKernelSuggestsAnOddOne) {
  // Stride 1, kernel 2: the one pad cell goes after on every input size.
  const auto f = lint_spec("x: input(10,9,1); c: conv(4,2,padding=same)");
  EXPECT_EQ(only(f, "asymmetric-same").suggestion,
            "use an odd effective kernel, or ZeroPadding2D with the pads you want and "
            "padding=valid");
  const auto pool = lint_spec("x: input(9,8,1); p: maxpool(2,padding=same)");
  EXPECT_EQ(only(pool, "asymmetric-same").message.substr(0, 88),
            "padding 'same' pads unevenly, rows: 0 above and 1 below an input of 9 (pool 2, stride "
            "2)");
}

TEST(Lint, Checkerboard) {
  // Kernel 3, stride 2 on 4 -> 9: away from the borders even outputs get taps 0 and 2, odd ones
  // only tap 1.
  const auto f = lint_spec("x: input(4,4,1); d: deconv(1,3,strides=2)");
  ASSERT_EQ(ids(f), (Ids{"checkerboard@d"}));
  EXPECT_EQ(f[0].message,
            "uneven overlap of the transposed windows: rows and columns each: kernel 3 with "
            "stride 2, interior outputs receive 1 to 2 contributions (checkerboard artefacts, "
            "Odena et al. 2016)");
  EXPECT_EQ(f[0].suggestion,
            "use a kernel that is a multiple of the stride (kernel 4), or upsample(2) then "
            "conv(..., 3, padding=same)");
}

TEST(Lint, CheckerboardWithHoles) {
  const auto f = lint_spec("x: input(4,4,1); d: deconv(1,1,strides=2)");
  EXPECT_EQ(only(f, "checkerboard").message,
            "uneven overlap of the transposed windows: rows and columns each: kernel 1 with "
            "stride 2, interior outputs receive 0 to 1 contributions (1 of every 2 none at all) "
            "(checkerboard artefacts, Odena et al. 2016)");
}

TEST(Lint, TransposedKernelAMultipleOfTheStrideIsClean) {
  EXPECT_TRUE(lint_spec("x: input(4,4,1); d: deconv(1,4,strides=2)").empty());
  EXPECT_TRUE(lint_spec("x: input(4,4,1); d: deconv(1,4,strides=2,padding=same)").empty());
}

TEST(Lint, GriddingOfStackedDilations) {
  // Three 3x3 layers of dilation 2: offsets {0, 2, ..., 12}, 7 of 13 per axis.
  const auto f = lint_spec(
      "x: input(32,32,1); a: conv(8,3,dilation=2,padding=same); "
      "b: conv(8,3,dilation=2,padding=same); c: conv(8,3,dilation=2,padding=same)");
  ASSERT_EQ(ids(f), (Ids{"gridding@c"}));
  EXPECT_EQ(f[0].message,
            "the receptive field of one output spans 13x13 pixels of the stack's input but reads "
            "only 7 rows and 7 columns of them, 49 of 169 pixels (29.0%): dilations 2, 2, 2 "
            "(layers 'a', 'b', 'c') share the factor 2 (gridding, Wang et al. 2018)");
}

TEST(Lint, HybridDilationsAndAClosingLayerAreClean) {
  EXPECT_TRUE(lint_spec("x: input(32,32,1); a: conv(8,3,padding=same); "
                        "b: conv(8,3,dilation=2,padding=same); "
                        "c: conv(8,3,dilation=5,padding=same)")
                  .empty());
  EXPECT_TRUE(lint_spec("x: input(32,32,1); a: conv(8,3,dilation=2,padding=same); bn; relu; "
                        "c: conv(8,3,padding=same)")
                  .empty());
}

TEST(Lint, GriddingLooksThroughPointwiseLayers) {
  const auto f = lint_spec(
      "x: input(13,13,1); a: conv(8,3,dilation=2,padding=same); bn; relu; dropout(0.1); "
      "b: conv(8,3,dilation=4,padding=same); gap");
  ASSERT_EQ(ids(f), (Ids{"gridding@b"}));
  // {0, 2, 4} + {0, 4, 8}: 9 of the 13 offsets 0-12 (odd ones missing).
  EXPECT_EQ(f[0].message,
            "the receptive field of one output spans 13x13 pixels of the stack's input but reads "
            "only 7 rows and 7 columns of them, 49 of 169 pixels (29.0%): dilations 2, 4 (layers "
            "'a', 'b') share the factor 2 (gridding, Wang et al. 2018)");
}

TEST(Lint, SmallReceptiveFieldAtTheClassifier) {
  const auto f = lint_spec("x: input(28,28,1); a: conv(8,3); b: conv(8,3); g: gap; dense(10)");
  ASSERT_EQ(ids(f), (Ids{"small-receptive-field@b"}));
  EXPECT_EQ(f[0].message,
            "feeds the classifier head 'g' with a receptive field of 5x5: one of its outputs sees "
            "at most 5x5 of the 28x28 input (3.2%)");
}

TEST(Lint, AReceptiveFieldCoveringTheInputIsClean) {
  EXPECT_TRUE(lint_spec("x: input(8,8,1); a: conv(8,5); b: conv(8,4); flatten; dense(10)").empty());
  // A plain MLP has no windows to blame.
  EXPECT_TRUE(lint_spec("x: input(8,8,1); flatten; dense(10)").empty());
}

TEST(Lint, CollapsedEarly) {
  const auto f = lint_spec(
      "x: input(8,8,1); s: conv(8,8,strides=8); b: bn; c1: conv(8,3,padding=same); "
      "c2: conv(8,3,padding=same); gap");
  ASSERT_EQ(ids(f), (Ids{"collapsed-early@s"}));
  EXPECT_EQ(f[0].message,
            "leaves a 1x1 map (effective stride 8x8), yet 2 later windowed layers have windows "
            "larger than the map they read: 'c1' (3x3 on 1x1), 'c2' (3x3 on 1x1); every one of "
            "their windows reaches past the map into padding");
  EXPECT_EQ(f[0].suggestion,
            "use a larger input, or remove a downsampling step at or before 's' (or give the "
            "later layers 1x1 kernels)");
}

TEST(Lint, KernelsLargerThanTheInputAreNotACollapse) {
  EXPECT_TRUE(
      lint_spec("x: input(4,4,1); c1: conv(8,5,padding=same); c2: conv(8,5,padding=same)").empty());
}

TEST(Lint, OneLayerAfterTheCollapseIsTolerated) {
  EXPECT_TRUE(lint_spec("x: input(8,8,1); s: conv(8,8,strides=8); c1: conv(8,3,padding=same); gap")
                  .empty());
}

// Over a sweep of one-layer models, the per-layer rules fire exactly when geometry says some
// input position is unread, and the input-unread error counts exactly those positions.
TEST(Lint, AgreesWithWindowUnreadInputs) {
  for (std::int64_t in = 5; in <= 12; ++in) {
    for (std::int64_t k = 1; k <= 4; ++k) {
      for (std::int64_t s = 1; s <= 4; ++s) {
        for (std::int64_t d = 1; d <= 2; ++d) {
          for (const char* padding : {"valid", "same"}) {
            const std::string spec =
                fmt::format("x: input({},{},1); c: conv(2,{},strides={},dilation={},padding={})",
                            in, in, k, s, d, padding);
            if (std::string_view(padding) == "valid" && (k - 1) * d + 1 > in) continue;
            const model::ResolvedModel m = model::resolve(model::parse_model_spec(spec));
            const std::int64_t unread = m.layers[1].height->unread_inputs();
            const auto f = lint(m);
            bool per_layer = false, error = false;
            for (const Finding& x : f) {
              per_layer = per_layer || x.rule == "stride-exceeds-kernel" ||
                          x.rule == "dilation-stride-gaps" || x.rule == "valid-drops-border";
              if (x.rule == "input-unread") {
                error = true;
                EXPECT_EQ(x.message.rfind(fmt::format("{} of {} rows (", unread, in), 0), 0u)
                    << spec << "\n"
                    << x.message;
              }
            }
            EXPECT_EQ(per_layer, unread > 0) << spec;
            EXPECT_EQ(error, unread > 0) << spec;
          }
        }
      }
    }
  }
}

TEST(Lint, EveryBuiltinLints) {
  for (const std::string_view name : model::builtin_model_names()) {
    SCOPED_TRACE(name);
    const model::ResolvedModel m = model::resolve(*model::builtin_model(name));
    for (const Finding& f : lint(m)) {
      EXPECT_FALSE(f.rule.empty());
      EXPECT_FALSE(f.message.empty());
      EXPECT_FALSE(f.suggestion.empty());
      EXPECT_NO_THROW(m.architecture.index_of(f.layer));
    }
  }
}

TEST(Lint, SeverityNames) {
  EXPECT_EQ(severity_name(Severity::kWarning), "warning");
  EXPECT_EQ(severity_name(Severity::kError), "error");
}

}  // namespace
}  // namespace strider::analysis
