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
