// strider shape: what a Conv2D does to a shape, from geometry alone (no data).
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.hpp"
#include "conv_args.hpp"
#include "strider/core/error.hpp"
#include "strider/core/parse.hpp"

namespace strider::cli {
namespace {

struct ShapeCommand {
  std::string input, kernel;
  std::int64_t filters = 0;
  bool no_bias = false;
  bool json = false;
  ConvArgs conv;

  void run() const {
    const Shape in = parse_int_list(input, "--input");
    if (in.size() != 4) {
      throw InvalidArgument(
          fmt::format("--input: expected N,H,W,C (4 integers), got {}: '{}'", in.size(), input));
    }
    const Pair2D k = pair_from_list(parse_int_list(kernel, "--kernel"), "--kernel");
    if (k.h < 1 || k.w < 1) {
      throw InvalidArgument(fmt::format("--kernel: every value must be >= 1, got '{}'", kernel));
    }
    if (filters < 1) throw InvalidArgument(fmt::format("--filters: must be >= 1, got {}", filters));
    const Conv2DParams params = conv.params();
    if (in[3] % params.groups != 0) {
      throw ShapeError(fmt::format("--groups: {} must divide the input channels ({})",
                                   params.groups, in[3]));
    }
    const Shape filter{k.h, k.w, in[3] / params.groups, filters};
    const Conv2DGeometry g = Conv2DGeometry::make(in, filter, params);
    if (json) {
      print_json(g, params);
    } else {
      print_text(g, params);
    }
  }

  void print_text(const Conv2DGeometry& g, const Conv2DParams& p) const {
    const std::int64_t weights = g.params(false);
    fmt::print("op        conv2d\n");
    fmt::print("input     {}  NHWC\n", format_shape(g.input_shape()));
    fmt::print("filter    {}  HWIO\n", format_shape(g.filter_shape()));
    fmt::print("strides   ({}, {})   dilation ({}, {})   groups {}   padding {}\n", p.strides.h,
               p.strides.w, p.dilation.h, p.dilation.w, p.groups, p.padding.to_string());
    fmt::print("output    {}\n", format_shape(g.output_shape()));
    fmt::print("pads      height: before {}, after {}   width: before {}, after {}\n",
               g.height.pad_before(), g.height.pad_after(), g.width.pad_before(),
               g.width.pad_after());
    if (no_bias) {
      fmt::print("params    {} (weights only)\n", format_count(weights));
    } else {
      fmt::print("params    {} ({} weights + {} biases)\n", format_count(g.params(true)),
                 format_count(weights), format_count(g.out_channels));
    }
    fmt::print("MACs      {}\n", format_count(g.macs()));
  }

  void print_json(const Conv2DGeometry& g, const Conv2DParams& p) const {
    nlohmann::ordered_json j;
    j["op"] = "conv2d";
    j["input_shape"] = g.input_shape();
    j["filter_shape"] = g.filter_shape();
    j["strides"] = {p.strides.h, p.strides.w};
    j["dilation"] = {p.dilation.h, p.dilation.w};
    j["groups"] = p.groups;
    j["padding"] = p.padding.to_string();
    j["output_shape"] = g.output_shape();
    j["pads"] = {{"height", {g.height.pad_before(), g.height.pad_after()}},
                 {"width", {g.width.pad_before(), g.width.pad_after()}}};
    j["params"] = g.params(!no_bias);
    j["macs"] = g.macs();
    fmt::print("{}\n", j.dump());
  }
};

}  // namespace

void add_shape_command(CLI::App& app) {
  auto state = std::make_shared<ShapeCommand>();
  CLI::App* cmd = app.add_subcommand(
      "shape", "Output shape, pads, parameters and MACs of a Conv2D, with no data.");
  cmd->add_option("--input", state->input, "Input shape N,H,W,C")->required();
  cmd->add_option("--filters", state->filters, "Number of filters (output channels)")->required();
  cmd->add_option("--kernel", state->kernel, "Kernel size: k | kh,kw")->required();
  state->conv.add_to(*cmd);
  cmd->add_flag("--no-bias", state->no_bias, "Count parameters without a bias (use_bias=False)");
  cmd->add_flag("--json", state->json, "Print one JSON object instead of text");
  cmd->callback([state] { state->run(); });
}

}  // namespace strider::cli
