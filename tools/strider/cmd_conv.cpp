// strider conv: tf.nn.conv2d (plus Keras's bias and activation) over .npy files.
#include <memory>
#include <optional>
#include <string>

#include "commands.hpp"
#include "conv_args.hpp"
#include "strider/io/npy.hpp"
#include "strider/ops/conv2d.hpp"

namespace strider::cli {
namespace {

struct ConvCommand {
  std::string input, filter, bias, output, activation = "linear", kernel;
  ConvArgs conv;

  void run() const {
    Conv2DOptions options;
    options.params = conv.params();
    options.activation = parse_activation(activation, "--activation");
    options.kernel = kernel;
    const Tensor x = io::read_npy(input);
    const Tensor w = io::read_npy(filter);
    std::optional<Tensor> b;
    if (!bias.empty()) b = io::read_npy(bias);
    const Tensor y = conv2d(x, w, b ? &*b : nullptr, options);
    io::write_npy(output, y);
  }
};

}  // namespace

void add_conv_command(CLI::App& app) {
  auto state = std::make_shared<ConvCommand>();
  CLI::App* cmd = app.add_subcommand(
      "conv",
      "Conv2D forward over .npy files, exactly as tf.nn.conv2d computes it.\n"
      "Input NHWC, filter HWIO [kh, kw, in/groups, out]; float32 or float64 in, float32 out.");
  cmd->add_option("--input", state->input, "Input tensor, NHWC (.npy)")->required();
  cmd->add_option("--filter", state->filter, "Filter, HWIO [kh, kw, in/groups, out] (.npy)")
      ->required();
  cmd->add_option("--bias", state->bias, "Bias of length out (.npy), optional");
  state->conv.add_to(*cmd);
  cmd->add_option("--activation", state->activation, "linear | relu")->capture_default_str();
  cmd->add_option("--kernel", state->kernel,
                  "Force a compute kernel by name (default: the best that supports the problem)");
  cmd->add_option("--output", state->output, "Where to write the output, NHWC float32 (.npy)")
      ->required();
  cmd->callback([state] { state->run(); });
}

}  // namespace strider::cli
