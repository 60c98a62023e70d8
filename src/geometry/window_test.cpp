#include "strider/geometry/window.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "strider/core/error.hpp"

namespace strider {
namespace {

Window make(std::int64_t n, std::int64_t k, std::int64_t s, std::int64_t d, AxisPadding p) {
  return Window::make(n, {k, s, d, p}, "test", "height");
}
constexpr AxisPadding kValid{PaddingKind::kValid};
constexpr AxisPadding kSame{PaddingKind::kSame};
AxisPadding pads(std::int64_t before, std::int64_t after) {
  return {PaddingKind::kExplicit, before, after};
}

TEST(Window, ValidMatchesTensorFlow) {
  // The tutorial's numbers: 10 pixels, 3x3, stride 1 -> 8, stride 2 -> 4.
  EXPECT_EQ(make(10, 3, 1, 1, kValid).output_size(), 8);
  EXPECT_EQ(make(10, 3, 2, 1, kValid).output_size(), 4);
  EXPECT_EQ(make(7, 7, 1, 1, kValid).output_size(), 1);   // kernel = input
  EXPECT_EQ(make(7, 1, 3, 1, kValid).output_size(), 3);   // stride > kernel
  EXPECT_EQ(make(10, 3, 1, 2, kValid).output_size(), 6);  // effective kernel 5
  const Window w = make(10, 3, 2, 1, kValid);
  EXPECT_EQ(w.pad_before(), 0);
  EXPECT_EQ(w.pad_after(), 0);
}

TEST(Window, SamePutsTheOddPadAfter) {
  struct Case {
    std::int64_t n, k, s, d, out, before, after;
  };
  // Values from TensorFlow's GetWindowedOutputSizeVerbose (SAME): out = ceil(n / s),
  // pad = max(0, (out - 1) * s + effective_k - n), before = pad / 2.
  const Case cases[] = {
      {10, 3, 2, 1, 5, 0, 1},  {13, 3, 2, 1, 7, 1, 1},  {14, 3, 2, 1, 7, 0, 1},
      {13, 3, 1, 1, 13, 1, 1}, {5, 1, 2, 1, 3, 0, 0},   {7, 1, 3, 1, 3, 0, 0},
      {1, 7, 1, 1, 1, 3, 3},   {10, 3, 1, 2, 10, 2, 2}, {224, 7, 2, 1, 112, 2, 3},
      {56, 1, 2, 1, 28, 0, 0}, {8, 4, 3, 1, 3, 1, 1},   {0, 3, 2, 1, 0, 0, 0},
  };
  for (const Case& c : cases) {
    const Window w = make(c.n, c.k, c.s, c.d, kSame);
    EXPECT_EQ(w.output_size(), c.out) << c.n << " " << c.k << " " << c.s << " " << c.d;
    EXPECT_EQ(w.pad_before(), c.before) << c.n << " " << c.k << " " << c.s << " " << c.d;
    EXPECT_EQ(w.pad_after(), c.after) << c.n << " " << c.k << " " << c.s << " " << c.d;
  }
}

TEST(Window, ExplicitAndCausal) {
  const Window e = make(5, 3, 2, 1, pads(1, 2));
  EXPECT_EQ(e.output_size(), 3);  // (5 + 1 + 2 - 3) / 2 + 1
  EXPECT_EQ(e.pad_before(), 1);
  EXPECT_EQ(e.pad_after(), 2);
  EXPECT_EQ(make(0, 1, 1, 1, pads(1, 1)).output_size(), 2);  // zero extent, padded result
  const Window c = make(5, 3, 1, 2, {PaddingKind::kCausal});
  EXPECT_EQ(c.output_size(), 5);
  EXPECT_EQ(c.pad_before(), 4);
  EXPECT_EQ(c.pad_after(), 0);
  EXPECT_EQ(make(0, 3, 1, 1, {PaddingKind::kCausal}).output_size(), 0);
}

TEST(Window, TapsFollowTheFormula) {
  const Window w = make(10, 3, 2, 2, kSame);  // effective 5, out 5, pad 3 -> 1 before
  ASSERT_EQ(w.pad_before(), 1);
  EXPECT_EQ(w.tap(0, 0), -1);
  EXPECT_EQ(w.tap(0, 1), 1);
  EXPECT_EQ(w.tap(2, 2), 7);
  EXPECT_EQ(w.first_input(4), 7);
}

TEST(Window, WindowStepIsTheStrideOnlyWhereTwoWindowsExist) {
  EXPECT_EQ(make(10, 3, 2, 2, kSame).window_step(), 2);
  EXPECT_EQ(make(7, 1, 3, 1, kValid).window_step(), 3);  // stride > kernel
  EXPECT_EQ(make(7, 7, 1, 1, kValid).window_step(), 0);  // kernel = input: one window
  EXPECT_EQ(make(0, 3, 2, 1, kSame).window_step(), 0);   // no window
  // A stride near 2^63 leaves one window: the step is 0, so stride x channels is never formed.
  constexpr std::int64_t kLong = std::numeric_limits<std::int64_t>::max() / 3;
  EXPECT_EQ(make(5, 3, kLong, 1, kSame).window_step(), 0);
  // Explicit padding can give two windows 2^61 cells apart, both but the first in the padding.
  const Window far = make(5, 3, std::int64_t{1} << 61, 1, pads(1, std::int64_t{1} << 61));
  ASSERT_EQ(far.output_size(), 2);
  EXPECT_EQ(far.window_step(), std::int64_t{1} << 61);
  EXPECT_EQ(far.valid_taps(1).size(), 0);
}

TEST(Window, ExtentSpansTheWindowsWithTheirPadding) {
  EXPECT_EQ(make(28, 3, 1, 1, kSame).extent(), 30);      // one cell of padding each side
  EXPECT_EQ(make(28, 3, 2, 1, kSame).extent(), 29);      // SAME stride 2: one cell after
  EXPECT_EQ(make(10, 3, 1, 2, kValid).extent(), 10);     // effective kernel 5, six windows
  EXPECT_EQ(make(7, 1, 3, 1, kValid).extent(), 7);       // stride > kernel: 0, 3, 6
  EXPECT_EQ(make(8, 1, 3, 1, kValid).extent(), 7);       // the last cell unread
  EXPECT_EQ(make(0, 3, 2, 1, kSame).extent(), 0);        // no window
  EXPECT_EQ(make(3, 3, 1, 1000, kSame).extent(), 2003);  // a dilation far beyond the input
}

TEST(Window, ValidTapsAndReadsAgreeWithBruteForce) {
  for (std::int64_t n = 0; n <= 12; ++n) {
    for (std::int64_t k = 1; k <= 5; ++k) {
      for (std::int64_t s = 1; s <= 4; ++s) {
        for (std::int64_t d = 1; d <= 3; ++d) {
          for (const AxisPadding& p : {kValid, kSame, pads(0, 2), pads(3, 1)}) {
            const std::int64_t effective = (k - 1) * d + 1;
            const std::int64_t padded = n + p.before + p.after;
            if ((p.kind == PaddingKind::kValid && effective > n) ||
                (p.kind == PaddingKind::kExplicit && effective > padded)) {
              EXPECT_THROW(make(n, k, s, d, p), ShapeError);
              continue;
            }
            const Window w = make(n, k, s, d, p);
            std::vector<std::int64_t> reads(static_cast<std::size_t>(n), 0);
            for (std::int64_t o = 0; o < w.output_size(); ++o) {
              const TapRange r = w.valid_taps(o);
              for (std::int64_t j = 0; j < k; ++j) {
                const std::int64_t i = w.tap(o, j);
                const bool inside = i >= 0 && i < n;
                EXPECT_EQ(inside, j >= r.begin && j < r.end)
                    << "n=" << n << " k=" << k << " s=" << s << " d=" << d << " o=" << o;
                if (inside) ++reads[static_cast<std::size_t>(i)];
              }
            }
            std::int64_t unread = 0;
            for (std::int64_t i = 0; i < n; ++i) {
              EXPECT_EQ(w.reads_of(i), reads[static_cast<std::size_t>(i)]);
              unread += reads[static_cast<std::size_t>(i)] == 0 ? 1 : 0;
            }
            EXPECT_EQ(w.unread_inputs(), unread)
                << "n=" << n << " k=" << k << " s=" << s << " d=" << d;
            // The runs cover the outputs in order, each with its outputs' taps, and two
            // neighbouring runs differ.
            std::int64_t next = 0;
            const std::vector<TapRun> runs = w.tap_runs();
            for (std::size_t i = 0; i < runs.size(); ++i) {
              EXPECT_EQ(runs[i].begin, next);
              EXPECT_LT(runs[i].begin, runs[i].end);
              for (std::int64_t o = runs[i].begin; o < runs[i].end; ++o) {
                EXPECT_EQ(w.valid_taps(o).begin, runs[i].taps.begin);
                EXPECT_EQ(w.valid_taps(o).end, runs[i].taps.end);
              }
              if (i > 0) {
                EXPECT_TRUE(runs[i].taps.begin != runs[i - 1].taps.begin ||
                            runs[i].taps.end != runs[i - 1].taps.end);
              }
              next = runs[i].end;
            }
            EXPECT_EQ(next, w.output_size());
            // The filling form gives the same runs into a vector that held others.
            std::vector<TapRun> reused(3, TapRun{7, 9, {1, 2}});
            w.tap_runs(reused);
            ASSERT_EQ(reused.size(), runs.size());
            for (std::size_t i = 0; i < runs.size(); ++i) {
              EXPECT_EQ(reused[i].begin, runs[i].begin);
              EXPECT_EQ(reused[i].end, runs[i].end);
              EXPECT_EQ(reused[i].taps.begin, runs[i].taps.begin);
              EXPECT_EQ(reused[i].taps.end, runs[i].taps.end);
            }
          }
        }
      }
    }
  }
}

TEST(Window, UnreadInputsIsCheapForHugeInputs) {
  const std::int64_t n = std::int64_t{1} << 50;
  EXPECT_EQ(make(n, 1, 2, 1, kValid).unread_inputs(), n / 2);  // stride > kernel skips half
  EXPECT_EQ(make(n, 3, 2, 1, kValid).unread_inputs(), 1);      // VALID drops the last row
}

TEST(Window, RejectsBadArguments) {
  EXPECT_THROW(make(10, 3, 0, 1, kValid), InvalidArgument);
  EXPECT_THROW(make(10, 3, -2, 1, kValid), InvalidArgument);
  EXPECT_THROW(make(10, 0, 1, 1, kValid), InvalidArgument);
  EXPECT_THROW(make(10, 3, 1, 0, kValid), InvalidArgument);
  EXPECT_THROW(make(-1, 3, 1, 1, kValid), InvalidArgument);
  EXPECT_THROW(make(10, 3, 1, 1, pads(-1, 0)), InvalidArgument);
  EXPECT_THROW(make(2, 3, 1, 1, kValid), ShapeError);
  EXPECT_THROW(make(2, 3, 1, 1, pads(0, 0)), ShapeError);
  const std::int64_t big = std::numeric_limits<std::int64_t>::max();
  EXPECT_THROW(make(10, big, 1, 2, kSame), ShapeError);         // effective kernel overflows
  EXPECT_THROW(make(10, 3, 1, 1, pads(big, big)), ShapeError);  // padded size overflows
  EXPECT_EQ(make(big, 1, big, 1, kSame).output_size(), 1);
  try {
    make(10, 3, 0, 1, kValid);
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "test: height stride must be >= 1, got 0");
  }
}

}  // namespace
}  // namespace strider

namespace strider {
namespace {

// inverse_sizes must return exactly the input sizes whose forward window gives `out` outputs.
TEST(InverseSizes, AgreesWithTheForwardWindow) {
  for (std::int64_t out = 0; out <= 6; ++out) {
    for (std::int64_t k = 1; k <= 4; ++k) {
      for (std::int64_t s = 1; s <= 4; ++s) {
        for (std::int64_t d = 1; d <= 2; ++d) {
          for (const AxisPadding& p :
               {AxisPadding{PaddingKind::kValid}, AxisPadding{PaddingKind::kSame},
                AxisPadding{PaddingKind::kCausal}, AxisPadding{PaddingKind::kExplicit, 1, 2}}) {
            const WindowSpec spec{k, s, d, p};
            const SizeRange r = inverse_sizes(out, spec, "test", "height");
            for (std::int64_t n = 0; n <= 40; ++n) {
              bool produces = false;
              try {
                produces = Window::make(n, spec, "test", "height").output_size() == out;
              } catch (const ShapeError&) {
              }
              EXPECT_EQ(produces, r.contains(n))
                  << "out=" << out << " k=" << k << " s=" << s << " d=" << d << " n=" << n
                  << " kind=" << padding_kind_name(p.kind);
            }
          }
        }
      }
    }
  }
}

TEST(InverseSizes, RejectsBadSpecs) {
  EXPECT_THROW(inverse_sizes(-1, {3, 1, 1, {}}, "t", "h"), InvalidArgument);
  EXPECT_THROW(inverse_sizes(3, {3, 0, 1, {}}, "t", "h"), InvalidArgument);
  EXPECT_THROW(inverse_sizes(3, {3, 1, 1, {PaddingKind::kExplicit, -1, 0}}, "t", "h"),
               InvalidArgument);
  EXPECT_THROW(inverse_sizes(std::int64_t{1} << 62, {3, 8, 1, {}}, "t", "h"), ShapeError);
}

}  // namespace
}  // namespace strider
