// strider conv: tf.nn.conv2d (plus Keras's bias and activation) over .npy files.
#include <memory>
#include <string>

#include "commands.hpp"
#include "conv_args.hpp"
#include "strider/ops/conv2d.hpp"

namespace strider::cli {
namespace {

struct ConvCommand {
  FileArgs files;
  ConvArgs conv;
  std::string kernel;

  void run() const {
    Conv2DOptions options;
    options.params = conv.params();
    options.activation = files.activation_kind();
    options.kernel = kernel;
    const Operands in = files.read();
    files.write(conv2d(in.input, in.filter, in.bias_or_null(), options));
  }
};

}  // namespace

void add_conv_command(CLI::App& app) {
  auto state = std::make_shared<ConvCommand>();
  CLI::App* cmd = app.add_subcommand(
      "conv",
      "Conv2D forward over .npy files, exactly as tf.nn.conv2d computes it.\n"
      "Input NHWC, filter HWIO [kh, kw, in/groups, out]; float32 or float64 in, float32 out.");
  state->files.add_to(*cmd, "HWIO [kh, kw, in/groups, out]", "out");
  state->conv.add_to(*cmd);
  add_kernel_option(*cmd, state->kernel);
  cmd->callback([state] { state->run(); });
}

}  // namespace strider::cli
