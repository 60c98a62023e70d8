// `strider lint`: the stride choices of a resolved model that lose or distort information, each
// with the layer, the numbers (all from geometry: Window taps, reads and pads, and
// receptive_fields()) and a suggestion. It reads geometry only; nothing here runs a kernel.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "strider/model/resolve.hpp"

namespace strider::analysis {

enum class Severity { kWarning, kError };

// "warning", "error".
std::string_view severity_name(Severity severity);

struct Finding {
  Severity severity = Severity::kWarning;
  std::string rule;        // short kebab-case id, e.g. "stride-exceeds-kernel"
  std::string layer;       // the layer's name
  std::string message;     // what happens, with the numbers
  std::string suggestion;  // what to change
};

// The findings of every rule, ordered by layer (model order), then by rule as listed here.
//
// Counting. Per spatial axis a layer input position is "unread" when no window of the layer reads
// it (Window::reads_of(i) == 0); 2-D pixel counts are H*W - readH*readW. Positions that carry no
// data (rows or columns a ZeroPadding2D added, and whatever is computed from those alone) are
// left out, so padding a network drops on purpose is not reported. Rows and columns are tracked
// separately; where branches meet, a row counts as data (or as used) when it does on any branch,
// so the input-unread error never names a row that some output depends on.
//
// Warnings (a choice that loses or distorts information somewhere; another path may make up for
// it, as the main branch of a ResNet block reads what its 1x1 stride-2 shortcut skips):
//   stride-exceeds-kernel  a windowed layer (conv, depthwise, separable, pooling) whose stride is
//                          larger than its effective (dilated) kernel on an axis: the positions
//                          between windows are never read; says how many rows/columns and the
//                          share of input pixels.
//   dilation-stride-gaps   stride <= effective kernel, yet dilated taps never land on some
//                          positions (e.g. dilation 2 with stride 2 reads only even positions).
//   valid-drops-border     VALID (or explicit) padding: the last rows/columns, which one more
//                          window would have read, are dropped; says how many and which layer
//                          input sizes would fit exactly.
//   asymmetric-same        SAME padding with an odd total pad: TensorFlow puts the extra row at
//                          the bottom and the extra column at the right, so the windows sit half
//                          a pixel off-centre and symmetric-padding frameworks compute different
//                          numbers; says the pads and an input size (or kernel) that is symmetric.
//   checkerboard           Conv2DTranspose whose taps overlap unevenly (kernel not a multiple of
//                          the stride, Odena et al. 2016): interior output rows/columns receive
//                          different numbers of contributions, some maybe none.
//   gridding               a stack with two or more dilated layers whose composed receptive field
//                          has holes that the same stack without dilation would not have
//                          (dilations with a common factor, Wang et al. 2018). A stack is a chain
//                          of sliding layers joined directly or through batch norm, activation,
//                          dropout, per-position Dense, padding or cropping (a merge ends it);
//                          reported on its last layer, when no later layer extends it. Fields
//                          wider than 65536 positions are not checked.
//   collapsed-early        two or more windowed layers read maps smaller than their kernel (e.g.
//                          3x3 on 1x1): the map collapsed so early that each of their windows
//                          reaches into padding; reported on the layer that shrank the map to that
//                          size (kernels larger than the model input itself are not reported).
//   small-receptive-field  the layer feeding a classifier head (Flatten or global pooling) has a
//                          receptive field smaller than the model input on some axis; says how
//                          much of the input one of its outputs sees.
// Errors (information no part of the model can recover):
//   input-unread           rows or columns of a model input that no model output depends on,
//                          through any path: windows skip them in every branch. Rows a
//                          Cropping2D removes do not count (cropping is asked for by name).
//                          Reported on the input layer, with the rows/columns and the pixel count.
//
// The windows of Conv2DTranspose are checked for checkerboard only. Throws nothing but
// std::bad_alloc for a model that resolve() accepted.
std::vector<Finding> lint(const model::ResolvedModel& model);

}  // namespace strider::analysis
