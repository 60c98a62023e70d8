#include "shape_summary.hpp"

#include <fmt/format.h>

#include "strider/core/parse.hpp"

namespace strider::cli {
namespace {

void print_lines(const ShapeSummary::Lines& lines) {
  for (const auto& [label, text] : lines) fmt::print("{:<10}{}\n", label, text);
}

}  // namespace

void ShapeSummary::set_pads(const Window& height, const Window& width) {
  pads[0][0] = height.pad_before();
  pads[0][1] = height.pad_after();
  pads[1][0] = width.pad_before();
  pads[1][1] = width.pad_after();
}

void ShapeSummary::print(bool json) const {
  if (json) {
    nlohmann::ordered_json j;
    j["op"] = op;
    j["input_shape"] = input;
    j.update(keys);
    j["output_shape"] = output;
    j["pads"] = {{"height", {pads[0][0], pads[0][1]}}, {"width", {pads[1][0], pads[1][1]}}};
    j["params"] = params;
    j["macs"] = macs;
    j.update(trailer_keys);
    fmt::print("{}\n", j.dump());
    return;
  }
  print_lines({{"op", op}, {"input", format_shape(input) + "  NHWC"}});
  print_lines(details);
  print_lines({
      {"output", format_shape(output)},
      {"pads", fmt::format("height: before {}, after {}   width: before {}, after {}", pads[0][0],
                           pads[0][1], pads[1][0], pads[1][1])},
      {"params", fmt::format("{} {}", format_count(params), params_note)},
      {"MACs", fmt::format("{}{}", format_count(macs), macs_note.empty() ? "" : " " + macs_note)},
  });
  print_lines(trailer);
}

std::string params_note(std::int64_t weights, std::int64_t biases, bool use_bias) {
  if (!use_bias) return "(weights only)";
  return fmt::format("({} weights + {} biases)", format_count(weights), format_count(biases));
}

}  // namespace strider::cli
