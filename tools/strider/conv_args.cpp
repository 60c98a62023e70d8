#include "conv_args.hpp"

#include <fmt/format.h>

#include "strider/core/error.hpp"
#include "strider/core/parse.hpp"

namespace strider::cli {
namespace {

Pair2D parse_positive_pair(const std::string& text, const char* option) {
  const Pair2D pair = pair_from_list(parse_int_list(text, option), option);
  if (pair.h < 1 || pair.w < 1) {
    throw InvalidArgument(fmt::format("{}: every value must be >= 1, got '{}'", option, text));
  }
  return pair;
}

}  // namespace

void ConvArgs::add_to(CLI::App& command) {
  command.add_option("--strides", strides, "Window step: s | sh,sw | 1,sh,sw,1")
      ->capture_default_str();
  command.add_option("--padding", padding, "valid | same | T,B,L,R (explicit, per side)")
      ->capture_default_str();
  command.add_option("--dilation", dilation, "Dilation rate: d | dh,dw | 1,dh,dw,1 (1 = dense)")
      ->capture_default_str();
  command.add_option("--groups", groups, "Channel groups; must divide input channels and filters")
      ->capture_default_str();
}

Conv2DParams ConvArgs::params() const {
  Conv2DParams p;
  p.strides = parse_positive_pair(strides, "--strides");
  p.dilation = parse_positive_pair(dilation, "--dilation");
  p.padding = Padding2D::parse(padding, "--padding");
  if (groups < 1) throw InvalidArgument(fmt::format("--groups: must be >= 1, got {}", groups));
  p.groups = groups;
  return p;
}

}  // namespace strider::cli
