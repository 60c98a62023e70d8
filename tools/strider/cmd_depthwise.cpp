// strider depthwise: tf.nn.depthwise_conv2d (plus Keras's bias and activation) over .npy files.
#include <memory>
#include <string>

#include "commands.hpp"
#include "conv_args.hpp"
#include "strider/ops/depthwise_conv2d.hpp"

namespace strider::cli {
namespace {

struct DepthwiseCommand {
  FileArgs files;
  ConvArgs window;
  std::string kernel;

  void run() const {
    const Conv2DParams params = window.params();
    DepthwiseConv2DOptions options;
    options.strides = params.strides;
    options.dilation = params.dilation;
    options.padding = params.padding;
    options.activation = files.activation_kind();
    options.kernel = kernel;
    const Operands in = files.read();
    files.write(depthwise_conv2d(in.input, in.filter, in.bias_or_null(), options));
  }
};

}  // namespace

void add_depthwise_command(CLI::App& app) {
  auto state = std::make_shared<DepthwiseCommand>();
  CLI::App* cmd = app.add_subcommand(
      "depthwise",
      "Depthwise Conv2D over .npy files, exactly as tf.nn.depthwise_conv2d computes it.\n"
      "Input NHWC [N, H, W, C], filter [kh, kw, C, M]; output channel c * M + m reads channel c.\n"
      "Unequal strides (sh != sw), which TensorFlow's CPU kernel refuses, are computed.");
  state->files.add_to(*cmd, "[kh, kw, in, multiplier]", "in * multiplier");
  state->window.add_to(*cmd, {.groups = false});
  add_kernel_option(*cmd, state->kernel);
  cmd->callback([state] { state->run(); });
}

}  // namespace strider::cli
