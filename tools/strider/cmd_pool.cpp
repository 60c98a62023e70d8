// strider pool: tf.nn.max_pool2d / tf.nn.avg_pool2d over .npy files.
#include <memory>
#include <string>

#include "commands.hpp"
#include "conv_args.hpp"
#include "strider/ops/pool2d.hpp"

namespace strider::cli {
namespace {

struct PoolCommand {
  FileArgs files;
  ConvArgs window;
  std::string op, pool, kernel;

  void run() const {
    const PoolOp pool_op = parse_pool_op(op, "--op");
    Pool2DOptions options;
    options.params.pool_size = parse_positive_pair(pool, "--pool");
    options.params.strides = window.strides_pair();
    options.params.padding = window.padding_rule();
    options.kernel = kernel;
    files.write(pool2d(pool_op, files.read_input(), options));
  }
};

}  // namespace

void add_pool_command(CLI::App& app) {
  auto state = std::make_shared<PoolCommand>();
  CLI::App* cmd = app.add_subcommand(
      "pool",
      "Max or average pooling over .npy files, exactly as tf.nn.max_pool2d / avg_pool2d compute "
      "it.\nInput NHWC; the average counts only the cells inside the input, as TensorFlow does.");
  cmd->add_option("--op", state->op, "max | avg")->required();
  state->files.add_to(*cmd);
  cmd->add_option("--pool", state->pool, "Pool size: p | ph,pw")->required();
  state->window.add_to(*cmd, {.dilation = false,
                              .groups = false,
                              .padding = "valid | same",
                              .strides_default = "the pool size, as in Keras"});
  add_kernel_option(*cmd, state->kernel);
  cmd->callback([state] { state->run(); });
}

}  // namespace strider::cli
