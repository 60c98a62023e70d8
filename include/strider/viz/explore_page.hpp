// The page `strider explore` writes: one self-contained HTML file (no network, no other files)
// where controls choose input size, kernel, stride, dilation and padding per axis and the
// picture and numbers follow at once. Its script computes no geometry: it looks up tables that
// Window::make filled for every value the controls allow, one table entry per axis (a 2-D
// window is the product of a height window and a width window).
#pragma once

#include <cstdint>
#include <string>

namespace strider::viz {

// The values the page's controls allow on each axis; padding is always valid or same.
struct ExploreRanges {
  std::int64_t max_input = 16;
  std::int64_t max_kernel = 7;
  std::int64_t max_stride = 4;
  std::int64_t max_dilation = 3;
};

// The tables as JSON:
//   {"ranges": {"input": [1, N], "kernel": [1, K], "stride": [1, S], "dilation": [1, D],
//               "padding": ["valid", "same"]},
//    "colors": {name: "#rrggbb", ...},   the palette of the stride pictures
//    "axes": [entry, ...]}
// Entry ((((n - 1) * K + k - 1) * S + s - 1) * D + d - 1) * 2 + (padding == same) is the Window
// of input n, kernel k, stride s, dilation d:
//   {"o": output size, "b": pad before, "a": pad after, "m": output * kernel (the axis's factor
//    of the MACs), "u": unread inputs, "t": taps (output-major, window.tap(o, j)),
//    "r": window.reads_of(i) per input}
// or, where geometry refuses the window, {"e": its error message, with "@AXIS@" where the axis
// is named}.
// Throws InvalidArgument for a range below 1 or above 64.
std::string explore_tables_json(const ExploreRanges& ranges = {});

// The whole page, tables embedded.
std::string explore_page(const ExploreRanges& ranges = {});

}  // namespace strider::viz
