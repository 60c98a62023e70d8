#include "conv_args.hpp"

#include <fmt/format.h>

#include "strider/core/error.hpp"
#include "strider/core/parse.hpp"
#include "strider/io/npy.hpp"

namespace strider::cli {
namespace {

// An empty value would read as "not given" below, so it is refused where it is typed.
const CLI::Validator kNotEmpty(
    [](const std::string& value) { return value.empty() ? std::string("must not be empty") : ""; },
    "", "NOT_EMPTY");

}  // namespace

Pair2D parse_positive_pair(const std::string& text, const char* option) {
  const Pair2D pair = pair_from_list(parse_int_list(text, option), option);
  if (pair.h < 1 || pair.w < 1) {
    throw InvalidArgument(fmt::format("{}: every value must be >= 1, got '{}'", option, text));
  }
  return pair;
}

Shape parse_nhwc(const std::string& text, const char* option) {
  Shape shape = parse_int_list(text, option);
  if (shape.size() != 4) {
    throw InvalidArgument(
        fmt::format("{}: expected N,H,W,C (4 integers), got {}: '{}'", option, shape.size(), text));
  }
  return shape;
}

void FileArgs::add_to(CLI::App& command, const char* filter_layout, const char* bias_length) {
  command.add_option("--input", input, "Input tensor, NHWC (.npy)")->required();
  if (filter_layout != nullptr) {
    command.add_option("--filter", filter, fmt::format("Filter, {} (.npy)", filter_layout))
        ->required();
    command
        .add_option("--bias", bias, fmt::format("Bias of length {} (.npy), optional", bias_length))
        ->check(kNotEmpty);
    command.add_option("--activation", activation, "linear | relu")->capture_default_str();
  }
  command.add_option("--output", output, "Where to write the output, NHWC float32 (.npy)")
      ->required();
}

Activation FileArgs::activation_kind() const {
  return parse_activation(activation, "--activation");
}

Tensor FileArgs::read_input() const { return io::read_npy(input); }

Operands FileArgs::read() const {
  Operands operands{read_input(), io::read_npy(filter), std::nullopt};
  if (!bias.empty()) operands.bias = io::read_npy(bias);
  return operands;
}

void FileArgs::write(const Tensor& output_tensor) const { io::write_npy(output, output_tensor); }

void add_kernel_option(CLI::App& command, std::string& kernel) {
  command.add_option(
      "--impl", kernel,
      "Force a compute kernel by name (default: the best that supports the problem)");
}

void ConvArgs::add_to(CLI::App& command, const Accepts& accepts) {
  command
      .add_option(
          "--strides", strides,
          fmt::format("Window step: s | sh,sw | 1,sh,sw,1 (default: {})", accepts.strides_default))
      ->check(kNotEmpty);
  command.add_option("--padding", padding, accepts.padding)->capture_default_str();
  if (accepts.dilation) {
    command.add_option("--dilation", dilation, "Dilation rate: d | dh,dw | 1,dh,dw,1 (1 = dense)")
        ->capture_default_str();
  }
  if (accepts.groups) {
    command
        .add_option("--groups", groups, "Channel groups; must divide input channels and filters")
        ->capture_default_str();
  }
}

std::optional<Pair2D> ConvArgs::strides_pair() const {
  if (strides.empty()) return std::nullopt;
  return parse_positive_pair(strides, "--strides");
}

Padding2D ConvArgs::padding_rule() const { return Padding2D::parse(padding, "--padding"); }

Conv2DParams ConvArgs::params() const {
  Conv2DParams p;
  p.strides = strides_pair().value_or(Pair2D{1, 1});
  p.dilation = parse_positive_pair(dilation, "--dilation");
  p.padding = padding_rule();
  if (groups < 1) throw InvalidArgument(fmt::format("--groups: must be >= 1, got {}", groups));
  p.groups = groups;
  return p;
}

void TransposeArgs::add_to(CLI::App& command) {
  command
      .add_option("--output-padding", output_padding,
                  "Extra rows/columns at the bottom/right: p | ph,pw, each in [0, stride)")
      ->check(kNotEmpty);
  command
      .add_option("--output-shape", output_shape,
                  "Output shape N,H,W,C (tf.nn.conv2d_transpose's output_shape)")
      ->check(kNotEmpty);
}

Conv2DTransposeParams TransposeArgs::params(const ConvArgs& window,
                                            std::span<const std::int64_t> input_shape,
                                            std::span<const std::int64_t> filter_shape) const {
  const Conv2DParams forward = window.params();
  Conv2DTransposeParams p;
  p.strides = forward.strides;
  p.dilation = forward.dilation;
  p.padding = forward.padding;
  if (!output_padding.empty()) {
    // Negative values and values >= the stride are geometry's to reject: it names the stride.
    const std::vector<std::int64_t> values = parse_int_list(output_padding, "--output-padding");
    if (values.size() > 2) {
      throw InvalidArgument(
          fmt::format("--output-padding: expected p or ph,pw, got {} values: '{}'", values.size(),
                      output_padding));
    }
    p.output_padding = pair_from_list(values, "--output-padding");
  }
  if (!output_shape.empty()) {
    const Shape shape = parse_nhwc(output_shape, "--output-shape");
    const bool ranks_fit = input_shape.size() == 4 && filter_shape.size() == 4;
    if (ranks_fit && shape[0] != input_shape[0]) {
      throw ShapeError(
          fmt::format("--output-shape: N ({}) must equal the input batch ({}), got '{}'", shape[0],
                      input_shape[0], output_shape));
    }
    if (ranks_fit && shape[3] != filter_shape[2]) {
      throw ShapeError(fmt::format(
          "--output-shape: C ({}) must equal out-channels ({}), the filter's third dimension "
          "[kh, kw, out, in]; got '{}'",
          shape[3], filter_shape[2], output_shape));
    }
    p.output_size = Pair2D{shape[1], shape[2]};
  }
  return p;
}

}  // namespace strider::cli
