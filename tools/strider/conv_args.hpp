// The Conv2D options shared by `strider conv` and `strider shape`: strides, padding, dilation,
// groups, written the way tf.nn.conv2d takes them.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "strider/geometry/conv2d_geometry.hpp"

namespace strider::cli {

struct ConvArgs {
  std::string strides = "1";
  std::string padding = "valid";
  std::string dilation = "1";
  std::int64_t groups = 1;

  void add_to(CLI::App& command);
  // Parses the text forms; throws InvalidArgument naming the option ("--strides: ...").
  Conv2DParams params() const;
};

}  // namespace strider::cli
