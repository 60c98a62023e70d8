// What `strider shape` reports about one layer, filled from its geometry, and the one printer that
// writes it as aligned text or as a JSON object, so every op reads the same way.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strider/core/tensor.hpp"
#include "strider/geometry/conv2d_transpose_geometry.hpp"
#include "strider/geometry/window.hpp"

namespace strider::cli {

// "(2, 3)"
std::string pair_text(const Pair2D& p);

// "(864 weights + 32 biases)", or "(weights only)" without a bias.
std::string params_note(std::int64_t weights, std::int64_t biases, bool use_bias);

struct ShapeSummary {
  using Lines = std::vector<std::pair<std::string, std::string>>;  // (label, text)

  std::string op;
  Shape input, output;
  Lines details;  // text between input and output: filter, strides, ...
  nlohmann::ordered_json keys = nlohmann::ordered_json::object();  // JSON for the details
  std::int64_t pads[2][2] = {};                                    // [height, width][before, after]
  std::int64_t params = 0;
  std::string params_note;
  std::int64_t macs = 0;
  std::string macs_note;
  Lines trailer;                                                           // text after MACs
  nlohmann::ordered_json trailer_keys = nlohmann::ordered_json::object();  // JSON after macs

  // Op name, shapes and the pads of the two windows.
  static ShapeSummary of(std::string op, const Shape& input, const Shape& output,
                         const Window& height, const Window& width);

  // The "strides ... dilation ... padding" line and its keys; `extra` goes before the padding.
  void add_window(const Pair2D& strides, const Pair2D& dilation, const Padding2D& padding,
                  std::string_view extra = "");

  // "reachable height: 5..6 (output_padding 0..1)   width: ..." and its JSON keys: per axis, the
  // output sizes geometry's inverse_sizes() allows, and the output_padding values in [0, stride)
  // that Conv2DTransposeGeometry::make accepts for them.
  void add_reachable(const Conv2DTransposeParams& transpose, const Conv2DTransposeGeometry& g);

  void print(bool json) const;
};

}  // namespace strider::cli
