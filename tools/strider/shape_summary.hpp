// What `strider shape` reports about one op, filled from its geometry, and the one printer that
// writes it as aligned text or as a JSON object, so every op reads the same way.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "strider/core/tensor.hpp"
#include "strider/geometry/window.hpp"

namespace strider::cli {

struct ShapeSummary {
  using Lines = std::vector<std::pair<std::string, std::string>>;  // (label, text)

  std::string op;
  Shape input, output;
  Lines details;                // text between input and output: filter, strides, ...
  nlohmann::ordered_json keys = nlohmann::ordered_json::object();  // JSON for the details
  std::int64_t pads[2][2] = {};  // [height, width][before, after]
  std::int64_t params = 0;
  std::string params_note;
  std::int64_t macs = 0;
  std::string macs_note;
  Lines trailer;                      // text after MACs
  nlohmann::ordered_json trailer_keys = nlohmann::ordered_json::object();  // after macs

  void set_pads(const Window& height, const Window& width);
  void print(bool json) const;
};

// "(864 weights + 32 biases)", or "(weights only)" without a bias.
std::string params_note(std::int64_t weights, std::int64_t biases, bool use_bias);

}  // namespace strider::cli
