// The options the strider commands share, written the way tf.nn takes them: the .npy files of a
// data command, the window options (strides, padding, dilation, groups) and the options of a
// transposed convolution. Parsing and the checks that name an option live here, once.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "strider/core/tensor.hpp"
#include "strider/geometry/conv2d_geometry.hpp"
#include "strider/geometry/conv2d_transpose_geometry.hpp"
#include "strider/ops/activation.hpp"

namespace strider::cli {

// "k" | "kh,kw" | "1,kh,kw,1" with every value >= 1; throws InvalidArgument naming `option`.
Pair2D parse_positive_pair(const std::string& text, const char* option);

// "N,H,W,C"; throws InvalidArgument naming `option` for any other count.
Shape parse_nhwc(const std::string& text, const char* option);

// The tensors a data command reads.
struct Operands {
  Tensor input, filter;
  std::optional<Tensor> bias;
  const Tensor* bias_or_null() const { return bias ? &*bias : nullptr; }
};

// --input, --output and, for ops with weights, --filter, --bias and --activation.
struct FileArgs {
  std::string input, filter, bias, output, activation = "linear";

  // `filter_layout` null: no --filter/--bias/--activation (pooling).
  void add_to(CLI::App& command, const char* filter_layout = nullptr,
              const char* bias_length = nullptr);
  Activation activation_kind() const;
  Tensor read_input() const;
  // Input, filter and (when given) bias, read in that order so errors come in that order.
  Operands read() const;
  void write(const Tensor& output_tensor) const;
};

// Adds --kernel: the compute routine to force by name (empty: the best that supports the problem).
void add_kernel_option(CLI::App& command, std::string& kernel);

// --strides, --padding, --dilation and --groups, as text until parsed.
struct ConvArgs {
  std::string strides;  // empty: 1, or the pool size for pooling
  std::string padding = "valid";
  std::string dilation = "1";
  std::int64_t groups = 1;

  // Which options a command takes and how its help describes them.
  struct Accepts {
    bool dilation = true;
    bool groups = true;
    const char* padding = "valid | same | T,B,L,R (explicit, per side)";
    const char* strides_default = "1";
  };
  void add_to(CLI::App& command, const Accepts& accepts);
  void add_to(CLI::App& command) { add_to(command, Accepts{}); }

  std::optional<Pair2D> strides_pair() const;  // nullopt when --strides was not given
  Padding2D padding_rule() const;
  // Throws InvalidArgument naming the option ("--strides: ...").
  Conv2DParams params() const;
};

// --output-padding and --output-shape of a transposed convolution.
struct TransposeArgs {
  std::string output_padding, output_shape;  // empty: not given

  void add_to(CLI::App& command);
  // Parses everything; --output-shape's N and C must equal the input's batch and the filter's
  // out-channels [kh, kw, out, in] (unchecked for ranks other than 4: geometry names those); its
  // H and W become Conv2DTransposeParams::output_size.
  Conv2DTransposeParams params(const ConvArgs& window, std::span<const std::int64_t> input_shape,
                               std::span<const std::int64_t> filter_shape) const;
};

}  // namespace strider::cli
