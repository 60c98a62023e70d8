// The arguments every model command shares (summary, lint, inspect): MODEL, a built-in name, a
// Keras JSON file, a spec file or a spec string, and --input H,W[,C].
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "strider/model/resolve.hpp"

namespace strider::cli {

struct ModelArgs {
  std::string model;
  std::string input;

  // Loads MODEL and resolves it for --input (or the model's own input size).
  model::ResolvedModel resolve() const;
};

// The output position `--layer NAME --at y,x` names: the layer (default: the last one) and y, x.
// A 1-D layer takes `--at x`; a layer with one position (Flatten, Dense, global pooling) needs
// no --at. Throws InvalidArgument naming --layer or --at.
struct TraceTarget {
  std::size_t layer = 0;
  std::int64_t y = 0, x = 0;
};
TraceTarget parse_trace_target(const model::ResolvedModel& model, const std::string& layer,
                               const std::string& at);

// Adds MODEL (positional, or --model) and --input to `command`; the help lists the built-ins.
void add_model_args(CLI::App& command, ModelArgs& args);

}  // namespace strider::cli
