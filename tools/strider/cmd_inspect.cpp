// strider inspect --model MODEL --layer NAME --at y,x: the input region one output position sees,
// layer by layer, and how many paths reach each input pixel.
#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.hpp"
#include "model_args.hpp"
#include "strider/analysis/receptive_field.hpp"
#include "strider/analysis/trace.hpp"
#include "strider/core/error.hpp"

namespace strider::cli {
namespace {

struct InspectArgs {
  ModelArgs model;
  std::string layer, at;
  bool json = false;
};

std::string count_text(double n) {
  if (n < 1e15) return fmt::format("{}", static_cast<std::int64_t>(n));
  return fmt::format("{:.3g}", n);
}

std::string range_text(const analysis::Range& r) {
  return r.first == r.last ? fmt::format("{}", r.first) : fmt::format("{}..{}", r.first, r.last);
}

void run_inspect(const InspectArgs& args) {
  const model::ResolvedModel resolved = args.model.resolve();
  const model::Architecture& arch = resolved.architecture;
  const TraceTarget target = parse_trace_target(resolved, args.layer, args.at);
  const std::size_t layer = target.layer;
  const std::int64_t y = target.y, x = target.x;
  const analysis::Trace trace = analysis::trace_position(resolved, layer, y, x);
  const std::vector<std::optional<analysis::Field>> fields = analysis::receptive_fields(resolved);
  const std::optional<analysis::Field>& field = fields[layer];
  const analysis::LayerRegion& input = trace.input();

  if (args.json) {
    nlohmann::ordered_json j;
    j["layer"] = arch.layers[layer].name;
    j["at"] = {y, x};
    j["input_shape"] = resolved.layers[input.layer].output_shape;
    j["input_region"] = {{"rows", {input.rows.first, input.rows.last}},
                         {"cols", {input.cols.first, input.cols.last}}};
    if (field) {
      const std::int64_t top = y * field->height.stride - field->height.padding;
      const std::int64_t left = x * field->width.stride - field->width.padding;
      j["receptive_field"] = {{"rows", {top, top + field->height.size - 1}},
                              {"cols", {left, left + field->width.size - 1}}};
    } else {
      j["receptive_field"] = nullptr;
    }
    nlohmann::ordered_json layers = nlohmann::ordered_json::array();
    for (const analysis::LayerRegion& r : trace.regions) {
      layers.push_back({{"name", arch.layers[r.layer].name},
                        {"rows", {r.rows.first, r.rows.last}},
                        {"cols", {r.cols.first, r.cols.last}}});
    }
    j["layers"] = std::move(layers);
    nlohmann::ordered_json paths = nlohmann::ordered_json::array();
    for (std::int64_t r = input.rows.first; r <= input.rows.last; ++r) {
      nlohmann::ordered_json row = nlohmann::ordered_json::array();
      for (std::int64_t c = input.cols.first; c <= input.cols.last; ++c) {
        row.push_back(input.paths_at(r, c));
      }
      paths.push_back(std::move(row));
    }
    j["paths"] = std::move(paths);
    fmt::print("{}\n", j.dump());
    return;
  }

  fmt::print("Output ({}, {}) of layer '{}' ({}, output {}) sees input '{}' {}:\n", y, x,
             arch.layers[layer].name, model::keras_class_name(arch.layers[layer].kind),
             format_shape(resolved.layers[layer].output_shape), arch.layers[input.layer].name,
             format_shape(resolved.layers[input.layer].output_shape));
  fmt::print("  rows {} ({} of {}), columns {} ({} of {})\n", range_text(input.rows),
             input.rows.size(), input.height, range_text(input.cols), input.cols.size(),
             input.width);
  if (field) {
    const std::int64_t top = y * field->height.stride - field->height.padding;
    const std::int64_t left = x * field->width.stride - field->width.padding;
    fmt::print(
        "  receptive field {}x{} at rows {}..{}, columns {}..{} (positions outside the input "
        "are padding)\n",
        field->height.size, field->width.size, top, top + field->height.size - 1, left,
        left + field->width.size - 1);
  }
  fmt::print("\nRegion at each layer's output:\n");
  for (const analysis::LayerRegion& r : trace.regions) {
    fmt::print("  {:<32} rows {:<10} columns {}\n", arch.layers[r.layer].name, range_text(r.rows),
               range_text(r.cols));
  }
  fmt::print("\nPaths from the output to each input pixel (rows {}, columns {}):\n",
             range_text(input.rows), range_text(input.cols));
  if (input.cols.size() > 32 || input.rows.size() > 64) {
    double lo = 0, hi = 0;
    bool first = true;
    for (const double n : input.paths) {
      if (n == 0) continue;
      lo = first ? n : std::min(lo, n);
      hi = first ? n : std::max(hi, n);
      first = false;
    }
    fmt::print("  (region too large to print: from {} to {} paths per pixel; --json lists them)\n",
               count_text(lo), count_text(hi));
    return;
  }
  std::size_t width = 1;
  for (const double n : input.paths) width = std::max(width, count_text(n).size());
  for (std::int64_t r = input.rows.first; r <= input.rows.last; ++r) {
    std::string line = fmt::format("  {:>4} |", r);
    for (std::int64_t c = input.cols.first; c <= input.cols.last; ++c) {
      const double n = input.paths_at(r, c);
      line += fmt::format(" {:>{}}", n == 0 ? "." : count_text(n), width);
    }
    fmt::print("{}\n", line);
  }
}

}  // namespace

void add_inspect_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "inspect",
      "The input region one output position of a layer sees (ranges per axis, and the region at "
      "every layer on the way) and how many paths reach each input pixel.");
  auto args = std::make_shared<InspectArgs>();
  add_model_args(*cmd, args->model);
  cmd->add_option("--layer", args->layer, "The layer to inspect (default: the last one)");
  cmd->add_option("--at", args->at,
                  "The output position y,x (x for a 1-D layer; none for Flatten/Dense/global "
                  "pooling outputs)");
  cmd->add_flag("--json", args->json, "Print one JSON object instead");
  cmd->callback([args] { run_inspect(*args); });
}

}  // namespace strider::cli
