// strider shape: what a convolution or pooling layer does to a shape, from geometry alone (no
// data): output shape, pads, parameters, MACs, and for a transposed convolution every output size
// the input can reach.
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "commands.hpp"
#include "conv_args.hpp"
#include "shape_summary.hpp"
#include "strider/core/checked.hpp"
#include "strider/core/error.hpp"
#include "strider/core/parse.hpp"
#include "strider/geometry/conv2d_transpose_geometry.hpp"
#include "strider/geometry/pool2d_geometry.hpp"

namespace strider::cli {
namespace {

struct ShapeCommand {
  CLI::App* command = nullptr;
  std::string op = "conv", input, kernel, pool;
  std::int64_t filters = 0, depth_multiplier = 1;
  bool no_bias = false;
  bool json = false;
  ConvArgs window;
  TransposeArgs transpose;

  using Summarize = ShapeSummary (ShapeCommand::*)(const Shape&) const;
  struct Op {
    std::string_view name;
    Summarize summarize;
    std::vector<std::string_view> options;  // besides --op, --input, --no-bias, --json
  };

  static const std::vector<Op>& ops() {
    static const std::vector<Op> table = {
        {"conv",
         &ShapeCommand::conv,
         {"--filters", "--kernel", "--strides", "--padding", "--dilation", "--groups"}},
        {"pool", &ShapeCommand::pooling, {"--pool", "--kernel", "--strides", "--padding"}},
        {"conv-transpose",
         &ShapeCommand::conv_transpose,
         {"--filters", "--kernel", "--strides", "--padding", "--dilation", "--output-padding",
          "--output-shape"}},
        {"depthwise",
         &ShapeCommand::depthwise,
         {"--kernel", "--depth-multiplier", "--strides", "--padding", "--dilation"}},
        {"separable",
         &ShapeCommand::separable,
         {"--filters", "--kernel", "--depth-multiplier", "--strides", "--padding", "--dilation"}},
    };
    return table;
  }

  void run() const {
    const auto& table = ops();
    const auto entry =
        std::find_if(table.begin(), table.end(), [&](const Op& o) { return o.name == op; });
    if (entry == table.end()) {
      std::vector<std::string_view> names;
      for (const Op& o : table) names.push_back(o.name);
      throw InvalidArgument(
          fmt::format("--op: expected one of {}, got '{}'", fmt::join(names, ", "), op));
    }
    reject_foreign_options(*entry);
    (this->*entry->summarize)(parse_nhwc(input, "--input")).print(json);
  }

  void reject_foreign_options(const Op& entry) const {
    static const std::vector<std::string_view> common = {"--help", "--op", "--input", "--no-bias",
                                                         "--json"};
    for (const CLI::Option* option : command->get_options()) {
      const std::string name = option->get_name();
      const auto takes = [&](const std::vector<std::string_view>& names) {
        return std::find(names.begin(), names.end(), name) != names.end();
      };
      if (option->count() == 0 || takes(common) || takes(entry.options)) continue;
      throw InvalidArgument(fmt::format("{}: not an option of --op {}, which takes {}", name, op,
                                        fmt::join(entry.options, ", ")));
    }
  }

  bool given(const char* option) const { return command->count(option) > 0; }

  void require(const char* option) const {
    if (!given(option)) throw InvalidArgument(fmt::format("{}: required with --op {}", option, op));
  }

  Pair2D kernel_size() const {
    require("--kernel");
    return parse_positive_pair(kernel, "--kernel");
  }

  std::int64_t filter_count() const {
    require("--filters");
    if (filters < 1) throw InvalidArgument(fmt::format("--filters: must be >= 1, got {}", filters));
    return filters;
  }

  std::int64_t multiplier() const {
    if (depth_multiplier < 1) {
      throw InvalidArgument(
          fmt::format("--depth-multiplier: must be >= 1, got {}", depth_multiplier));
    }
    return depth_multiplier;
  }

  ShapeSummary conv(const Shape& in) const {
    const Pair2D k = kernel_size();
    const std::int64_t f = filter_count();
    const Conv2DParams p = window.params();
    if (in[3] % p.groups != 0) {
      throw ShapeError(
          fmt::format("--groups: {} must divide the input channels ({})", p.groups, in[3]));
    }
    const Conv2DGeometry g = Conv2DGeometry::make(in, Shape{k.h, k.w, in[3] / p.groups, f}, p);
    ShapeSummary s =
        ShapeSummary::of("conv2d", g.input_shape(), g.output_shape(), g.height, g.width);
    s.details.emplace_back("filter", format_shape(g.filter_shape()) + "  HWIO");
    s.keys["filter_shape"] = g.filter_shape();
    s.add_window(p.strides, p.dilation, p.padding, fmt::format("   groups {}", p.groups));
    s.keys["groups"] = p.groups;
    s.params = g.params(!no_bias);
    s.params_note = params_note(g.params(false), g.out_channels, !no_bias);
    s.macs = g.macs();
    return s;
  }

  ShapeSummary pooling(const Shape& in) const {
    if (given("--pool") && given("--kernel")) {
      throw InvalidArgument("--pool: --kernel is its alias for --op pool; give one, not both");
    }
    if (!given("--kernel")) require("--pool");
    Pool2DParams p;
    p.pool_size = given("--pool") ? parse_positive_pair(pool, "--pool")
                                  : parse_positive_pair(kernel, "--kernel");
    p.strides = window.strides_pair();
    p.padding = window.padding_rule();
    const Pool2DGeometry g = Pool2DGeometry::make(in, p);
    ShapeSummary s =
        ShapeSummary::of("pool2d", g.input_shape(), g.output_shape(), g.height, g.width);
    s.details = {
        {"pool", pair_text(p.pool_size)},
        {"strides", fmt::format("{}{}   padding {}", pair_text(p.effective_strides()),
                                p.strides ? "" : " (the pool size)", p.padding.to_string())}};
    s.keys["pool_size"] = {p.pool_size.h, p.pool_size.w};
    s.keys["strides"] = {p.effective_strides().h, p.effective_strides().w};
    s.keys["padding"] = p.padding.to_string();
    s.params_note = "(pooling has no weights)";
    s.macs = g.ops();
    s.macs_note = "(values the windows read; pooling multiplies nothing)";
    return s;
  }

  ShapeSummary conv_transpose(const Shape& in) const {
    const Pair2D k = kernel_size();
    const Shape filter{k.h, k.w, filter_count(), in[3]};
    const Conv2DTransposeParams p = transpose.params(window, in, filter);
    const Conv2DTransposeGeometry g = Conv2DTransposeGeometry::make(in, filter, p);
    // The pads are the forward window's: the convolution whose gradient this is.
    ShapeSummary s =
        ShapeSummary::of("conv2d_transpose", g.input_shape(), g.output_shape(), g.height, g.width);
    s.details.emplace_back("filter", format_shape(g.filter_shape()) + "  [kh, kw, out, in]");
    s.keys["filter_shape"] = g.filter_shape();
    s.add_window(p.strides, p.dilation, p.padding,
                 p.output_padding ? "   output_padding " + pair_text(*p.output_padding) : "");
    if (p.output_padding) s.keys["output_padding"] = {p.output_padding->h, p.output_padding->w};
    s.params = g.params(!no_bias);
    s.params_note = params_note(g.params(false), g.out_channels, !no_bias);
    s.macs = g.macs();
    s.add_reachable(p, g);
    return s;
  }

  // The depthwise half of depthwise and separable: filter [kh, kw, C, M].
  Conv2DGeometry depthwise_geometry(const Shape& in, std::string_view name, ShapeSummary& s) const {
    const Pair2D k = kernel_size();
    const Conv2DParams p = window.params();
    const Shape filter{k.h, k.w, in[3], multiplier()};
    const Conv2DGeometry g = Conv2DGeometry::make_depthwise(in, filter, p, name);
    s = ShapeSummary::of(std::string(name), g.input_shape(), g.output_shape(), g.height, g.width);
    s.details.emplace_back(name == "depthwise_conv2d" ? "filter" : "depthwise",
                           format_shape(filter) + "  [kh, kw, in, multiplier]");
    s.keys[name == "depthwise_conv2d" ? "filter_shape" : "depthwise_filter_shape"] = filter;
    s.add_window(p.strides, p.dilation, p.padding);
    return g;
  }

  ShapeSummary depthwise(const Shape& in) const {
    ShapeSummary s;
    const Conv2DGeometry g = depthwise_geometry(in, "depthwise_conv2d", s);
    s.params = g.params(!no_bias);
    s.params_note = params_note(g.params(false), g.out_channels, !no_bias);
    s.macs = g.macs();
    return s;
  }

  // Keras SeparableConv2D: the depthwise part has no bias; the 1x1 pointwise part has one.
  ShapeSummary separable(const Shape& in) const {
    ShapeSummary s;
    const std::int64_t f = filter_count();
    const Conv2DGeometry dw = depthwise_geometry(in, "separable_conv2d", s);
    const Conv2DGeometry pw = Conv2DGeometry::make(
        dw.output_shape(), Shape{1, 1, dw.out_channels, f}, Conv2DParams{}, "separable_conv2d");
    s.details.insert(s.details.begin() + 1,
                     {"pointwise", format_shape(pw.filter_shape()) + "  HWIO"});
    s.keys["pointwise_filter_shape"] = pw.filter_shape();
    s.output = pw.output_shape();
    s.params = checked_add(dw.params(false), pw.params(!no_bias), "separable_conv2d: parameters");
    s.params_note =
        fmt::format("(depthwise {} + pointwise {} weights{})", format_count(dw.params(false)),
                    format_count(pw.params(false)),
                    no_bias ? "" : fmt::format(" + {} biases", format_count(pw.out_channels)));
    s.macs = checked_add(dw.macs(), pw.macs(), "separable_conv2d: MACs");
    s.macs_note = fmt::format("(depthwise {} + pointwise {})", format_count(dw.macs()),
                              format_count(pw.macs()));
    return s;
  }
};

}  // namespace

void add_shape_command(CLI::App& app) {
  auto state = std::make_shared<ShapeCommand>();
  CLI::App* cmd = app.add_subcommand(
      "shape",
      "Output shape, pads, parameters and MACs of a layer, with no data.\n"
      "--op conv (default): --filters, --kernel, --strides, --padding, --dilation, --groups\n"
      "--op pool: --pool (or --kernel), --strides (default: the pool size), --padding\n"
      "--op conv-transpose: --filters, --kernel, --strides, --padding, --dilation,\n"
      "    --output-padding, --output-shape; also lists every reachable output size\n"
      "--op depthwise: --kernel, --depth-multiplier, --strides, --padding, --dilation\n"
      "--op separable: --filters, --kernel, --depth-multiplier, --strides, --padding, --dilation");
  state->command = cmd;
  cmd->add_option("--op", state->op, "conv | pool | conv-transpose | depthwise | separable")
      ->capture_default_str();
  cmd->add_option("--input", state->input, "Input shape N,H,W,C")->required();
  cmd->add_option("--filters", state->filters, "Number of filters (output channels)");
  cmd->add_option("--kernel", state->kernel, "Kernel size: k | kh,kw");
  cmd->add_option("--pool", state->pool, "Pool size: p | ph,pw");
  cmd->add_option("--depth-multiplier", state->depth_multiplier,
                  "Output channels per input channel (depthwise, separable)")
      ->capture_default_str();
  state->window.add_to(*cmd, {.strides_default = "1; pool: the pool size"});
  state->transpose.add_to(*cmd);
  cmd->add_flag("--no-bias", state->no_bias, "Count parameters without a bias (use_bias=False)");
  cmd->add_flag("--json", state->json, "Print one JSON object instead of text");
  cmd->callback([state] { state->run(); });
}

}  // namespace strider::cli
