// One text form for a convolution or pooling problem, shared by benchmarks, shape lists, tests and
// the CLI: space-separated key=value pairs named like the CLI's flags, e.g.
//   "op=conv input=1,56,56,128 filters=128 kernel=3 strides=2 padding=same"
//   "op=depthwise input=1,112,112,96 kernel=3 strides=2 padding=same multiplier=1"
//   "op=pool pool=max input=1,56,56,64 kernel=3 strides=2 padding=same"
// Omitted keys take the CLI's defaults (strides 1, or the pool size for pooling; padding valid,
// dilation 1, groups 1, filters 1, multiplier 1, pool max). Lines of a shape list may carry a
// trailing "# comment".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "strider/core/tensor.hpp"
#include "strider/geometry/conv2d_geometry.hpp"

namespace strider {

enum class ProblemOp { kConv, kDepthwise, kPool };

struct Problem {
  ProblemOp op = ProblemOp::kConv;
  Shape input;                  // NHWC
  std::int64_t filters = 1;     // conv only
  std::int64_t multiplier = 1;  // depthwise only
  Pair2D kernel{1, 1};
  Conv2DParams params;   // strides, dilation, padding, groups
  bool max_pool = true;  // pool only

  // Throws InvalidArgument naming the key and value on a malformed or unknown pair.
  static Problem parse(std::string_view text);
  std::string to_string() const;

  // The filter shape for the op (conv: HWIO [kh, kw, C/groups, F]; depthwise: [kh, kw, C, M]).
  Shape filter_shape() const;
  // Output shape and 2 * MACs (conv, depthwise) or window reads (pool), from geometry.
  Shape output_shape() const;
  double flops() const;
};

// The problems of a shape list, one per non-empty, non-comment line.
std::vector<Problem> parse_problem_list(std::string_view text);

}  // namespace strider
