#include "shape_summary.hpp"

#include <fmt/format.h>

#include "strider/core/error.hpp"
#include "strider/core/parse.hpp"

namespace strider::cli {
namespace {

void print_lines(const ShapeSummary::Lines& lines) {
  for (const auto& [label, text] : lines) fmt::print("{:<10}{}\n", label, text);
}

std::string range_text(std::int64_t min, std::int64_t max) {
  return min == max ? fmt::format("{}", min) : fmt::format("{}..{}", min, max);
}

// The output_padding values in [0, stride) that geometry accepts on one axis (the other axis at
// 0). A stride past kMaxTries would mean as many geometry builds, so only its two ends are asked.
std::vector<std::int64_t> accepted_output_padding(const Shape& input, const Shape& filter,
                                                  Conv2DTransposeParams p, const Window& axis,
                                                  bool is_height) {
  constexpr std::int64_t kMaxTries = 4096;
  p.output_size.reset();
  std::vector<std::int64_t> accepted;
  for (std::int64_t q = 0; q < axis.stride(); ++q) {
    if (q == 1 && axis.stride() > kMaxTries) q = axis.stride() - 1;
    p.output_padding = is_height ? Pair2D{q, 0} : Pair2D{0, q};
    try {
      Conv2DTransposeGeometry::make(input, filter, p);
      accepted.push_back(q);
    } catch (const Error&) {
      // Refused: this output_padding gives a size the input cannot reach.
    }
  }
  return accepted;
}

}  // namespace

std::string pair_text(const Pair2D& p) { return fmt::format("({}, {})", p.h, p.w); }

std::string params_note(std::int64_t weights, std::int64_t biases, bool use_bias) {
  if (!use_bias) return "(weights only)";
  return fmt::format("({} weights + {} biases)", format_count(weights), format_count(biases));
}

ShapeSummary ShapeSummary::of(std::string op, const Shape& input, const Shape& output,
                              const Window& height, const Window& width) {
  ShapeSummary s;
  s.op = std::move(op);
  s.input = input;
  s.output = output;
  s.pads[0][0] = height.pad_before();
  s.pads[0][1] = height.pad_after();
  s.pads[1][0] = width.pad_before();
  s.pads[1][1] = width.pad_after();
  return s;
}

void ShapeSummary::add_window(const Pair2D& strides, const Pair2D& dilation,
                              const Padding2D& padding, std::string_view extra) {
  details.emplace_back("strides", fmt::format("{}   dilation {}{}   padding {}", pair_text(strides),
                                              pair_text(dilation), extra, padding.to_string()));
  keys["strides"] = {strides.h, strides.w};
  keys["dilation"] = {dilation.h, dilation.w};
  keys["padding"] = padding.to_string();
}

void ShapeSummary::add_reachable(const Conv2DTransposeParams& transpose,
                                 const Conv2DTransposeGeometry& g) {
  std::vector<std::string> parts;
  for (const bool is_height : {true, false}) {
    const Window& axis = is_height ? g.height : g.width;
    const char* name = is_height ? "height" : "width";
    const WindowSpec spec{axis.kernel_size(), axis.stride(), axis.dilation(),
                          is_height ? transpose.padding.height() : transpose.padding.width()};
    // The forward window's output is the transposed op's input: invert it.
    const SizeRange sizes = inverse_sizes(axis.output_size(), spec, "conv2d_transpose", name);
    const std::vector<std::int64_t> paddings =
        accepted_output_padding(g.input_shape(), g.filter_shape(), transpose, axis, is_height);
    parts.push_back(
        fmt::format("{}: {} (output_padding {})", name,
                    sizes.empty() ? "none" : range_text(sizes.min, sizes.max),
                    paddings.empty() ? "none" : range_text(paddings.front(), paddings.back())));
    trailer_keys["reachable_output_sizes"][name] =
        sizes.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json{sizes.min, sizes.max};
    trailer_keys["reachable_output_padding"][name] =
        paddings.empty() ? nlohmann::ordered_json()
                         : nlohmann::ordered_json{paddings.front(), paddings.back()};
  }
  trailer.emplace_back("reachable", fmt::format("{}", fmt::join(parts, "   ")));
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

}  // namespace strider::cli
