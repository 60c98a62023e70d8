// The variants a stride experiment compares: the built-in downsampling variants of a small
// Fashion-MNIST CNN, and the cross product a user asks for with `--vary layer.key=v1,v2`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "strider/model/architecture.hpp"

namespace strider::experiment {

struct Variant {
  std::string name;  // a file-name-safe slug: "stride2", "conv2.strides=2,conv3.padding=valid"
  std::string description;  // one line for tables and the report
  model::Architecture architecture;
};

// The base CNN of the built-in experiment: conv1 (stride 1), then the two downsampling layers
// conv2 and conv3 (3x3, stride 2, SAME), each followed by batch normalisation and ReLU, global
// average pooling and a 10-way Dense head. `width` scales the filter counts (1: 32, 64, 128 with
// 94,826 parameters; the quick run uses 0.5). Throws InvalidArgument for width outside (0, 4].
std::string base_spec(double width = 1.0);

// The built-in variants of base_spec(width), each changing only conv2 and conv3:
//   stride1        no downsampling: stride 1 everywhere
//   maxpool        stride-1 convolutions, each followed by 2x2 max pooling
//   stride2        stride-2 convolutions (all-convolutional; the base itself)
//   stride2-valid  stride 2 with VALID padding instead of SAME
//   stride4        stride 4 > kernel 3: a quarter of the rows and columns are never read
//   dilation2      dilation 2 instead of stride: no downsampling, a wider view
// Every variant has the same parameter count: the head is global average pooling.
std::vector<Variant> builtin_variants(double width = 1.0);

// One `--vary` argument: "conv2.strides=1,2,3" (values split at commas).
struct Vary {
  std::string layer, key;
  std::vector<std::string> values;
};

// Parses "LAYER.KEY=V1,V2,...". Throws InvalidArgument naming --vary, the rule and the text.
Vary parse_vary(std::string_view text);

// Every combination of the values of `varies` applied to `base` (the first --vary varies
// slowest), each checked (model::set_layer_argument, then resolved for the model's input). Names
// join "layer.key=value" with commas. Throws InvalidArgument naming --vary for an unknown layer, a
// key the layer does not take, a bad value, the same layer.key twice, or more than `max_variants`
// combinations.
std::vector<Variant> vary_variants(const model::Architecture& base, const std::vector<Vary>& varies,
                                   std::size_t max_variants = 64);

}  // namespace strider::experiment
