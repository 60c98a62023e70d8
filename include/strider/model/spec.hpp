// The compact model spec: one line (or one file) that describes a CNN, shared by `strider summary`,
// `lint`, `inspect`, `train` and `experiment`. The grammar is documented in docs/model-spec.md:
//
//   input(28,28,1); conv(32,3,strides=2,padding=same,activation=relu); maxpool(2);
//   conv(64,3,padding=same); gap; dense(10,activation=softmax)
//
// Items are separated by ';' or new lines; '#' starts a comment. An item is
// `[name:] type[(args)]`, args are positional values or key=value; pairs are written `3` or `3x2`.
// Layers read the layer before unless they say `from=NAME`; merges name their inputs:
// `add(a, b)`, `concat(a, b, axis=-1)`.
#pragma once

#include <string>
#include <string_view>

#include "strider/model/architecture.hpp"

namespace strider::model {

// Parses a spec. Unnamed layers get Keras's names (conv2d, conv2d_1, max_pooling2d, ...).
// Throws InvalidArgument naming the item (its number and text), the argument and the rule.
Architecture parse_model_spec(std::string_view text, std::string_view model_name = "model");

// Sets one argument of a layer as `key=value` in its spec item would ("strides", "2x1"; "kernel",
// "5"; "padding", "valid"), with the keys its type takes. Layers keep their names and inputs, so
// the caller validates the architecture afterwards. Throws InvalidArgument naming the layer, the
// key and the rule (an unknown key, a bad value, from=, input and merge layers).
void set_layer_argument(LayerSpec& layer, std::string_view key, std::string_view value);

// The spec text of an architecture, one layer per line, every layer named; parsing it gives the
// same architecture back. Throws InvalidArgument naming a layer whose name the grammar cannot
// write (Keras names with spaces, say).
std::string format_model_spec(const Architecture& architecture);

}  // namespace strider::model
