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

// Adds MODEL (positional, or --model) and --input to `command`; the help lists the built-ins.
void add_model_args(CLI::App& command, ModelArgs& args);

}  // namespace strider::cli
