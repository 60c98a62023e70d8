// strider conv-transpose: tf.nn.conv2d_transpose (plus Keras's bias and activation) over .npy
// files.
#include <memory>

#include "commands.hpp"
#include "conv_args.hpp"
#include "strider/ops/conv2d_transpose.hpp"

namespace strider::cli {
namespace {

struct ConvTransposeCommand {
  FileArgs files;
  ConvArgs window;
  TransposeArgs transpose;

  void run() const {
    const Activation activation = files.activation_kind();
    const Operands in = files.read();
    Conv2DTransposeOptions options;
    options.params = transpose.params(window, in.input.shape(), in.filter.shape());
    options.activation = activation;
    files.write(conv2d_transpose(in.input, in.filter, in.bias_or_null(), options));
  }
};

}  // namespace

void add_conv_transpose_command(CLI::App& app) {
  auto state = std::make_shared<ConvTransposeCommand>();
  CLI::App* cmd = app.add_subcommand(
      "conv-transpose",
      "Transposed Conv2D over .npy files, exactly as tf.nn.conv2d_transpose computes it.\n"
      "Input NHWC, filter [kh, kw, out, in]. The output size is Keras's rule, moved by\n"
      "--output-padding, or the one --output-shape names (it must be consistent with the input).");
  state->files.add_to(*cmd, "[kh, kw, out, in], as tf.nn.conv2d_transpose", "out");
  state->window.add_to(*cmd, {.groups = false});
  state->transpose.add_to(*cmd);
  cmd->callback([state] { state->run(); });
}

}  // namespace strider::cli
