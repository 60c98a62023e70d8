#include "model_args.hpp"

#include <fmt/format.h>

#include "strider/core/error.hpp"
#include "strider/core/parse.hpp"
#include "strider/model/builtin.hpp"
#include "strider/model/load.hpp"

namespace strider::cli {

model::ResolvedModel ModelArgs::resolve() const {
  Shape shape;
  if (!input.empty()) {
    shape = parse_int_list(input, "--input");
    if (shape.size() < 1 || shape.size() > 3) {
      throw InvalidArgument(
          fmt::format("--input: expected H,W or H,W,C (or L,C for a 1-D model), got '{}'", input));
    }
    for (const std::int64_t e : shape) {
      if (e < 1)
        throw InvalidArgument(fmt::format("--input: extents must be >= 1, got '{}'", input));
    }
  }
  return model::resolve(model::load_model(model), shape);
}

TraceTarget parse_trace_target(const model::ResolvedModel& model, const std::string& layer,
                               const std::string& at) {
  const model::Architecture& arch = model.architecture;
  TraceTarget t;
  t.layer = layer.empty() ? arch.layers.size() - 1 : arch.index_of(layer);
  const Shape& shape = model.layers[t.layer].output_shape;
  if (!at.empty()) {
    const std::vector<std::int64_t> values = parse_int_list(at, "--at");
    if (values.size() == 2) {
      t.y = values[0];
      t.x = values[1];
    } else if (values.size() == 1 && shape.size() == 2) {
      t.x = values[0];
    } else {
      throw InvalidArgument(fmt::format("--at: expected y,x{}, got '{}'",
                                        shape.size() == 2 ? " (or x for a 1-D layer)" : "", at));
    }
  } else if (shape.size() >= 2) {
    throw InvalidArgument(
        fmt::format("--at: layer '{}' has an output of {} positions; say which one with --at y,x",
                    arch.layers[t.layer].name, format_shape(shape)));
  }
  const std::int64_t height = shape.size() >= 3 ? shape[0] : 1;
  const std::int64_t width = shape.size() >= 3 ? shape[1] : shape.size() == 2 ? shape[0] : 1;
  if (t.y < 0 || t.y >= height || t.x < 0 || t.x >= width) {
    throw InvalidArgument(fmt::format(
        "--at: position ({}, {}) is outside the output of layer '{}', which has {} x {} positions "
        "(y in 0..{}, x in 0..{})",
        t.y, t.x, arch.layers[t.layer].name, height, width, height - 1, width - 1));
  }
  return t;
}

void add_model_args(CLI::App& command, ModelArgs& args) {
  command
      .add_option("model,--model", args.model,
                  fmt::format("A built-in name ({}), a Keras JSON file (model.to_json()), a "
                              "spec file, or a spec string such as \"input(28,28,1); "
                              "conv(32,3,strides=2); gap; dense(10)\" (docs/model-spec.md)",
                              fmt::join(model::builtin_model_names(), ", ")))
      ->required();
  command.add_option("--input", args.input,
                     "Input size H,W[,C] (or L,C for 1-D models); default: the model's own");
}

}  // namespace strider::cli
