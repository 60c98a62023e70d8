// Reads a Keras 3 architecture (`model.to_json()`, Sequential or Functional) into an Architecture.
// Only layers that need no code are accepted: Lambda layers, custom or unregistered classes and
// anything carrying serialized functions are refused, as Keras's safe_mode refuses them.
#pragma once

#include <string_view>

#include "strider/model/architecture.hpp"

namespace strider::model {

// Layers come in topological order, model inputs first (in `input_layers` order); `outputs` are
// the model's outputs. A Functional layer called n times becomes n LayerSpecs: the first call keeps
// the layer's name, call k is named "<layer>_call<k>" (k = its node index in the file; '_' appended
// while the name is taken) and `shares` the first call's weights. InputLayer extents that are None
// become 0 (resolve then needs an input size). ReLU becomes an Activation: relu, relu6
// (max_value 6) or leaky_relu (negative_slope > 0; the slope itself is not kept). The model is
// named `model_name`, or the name in the file when `model_name` is empty.
// Throws FormatError for malformed JSON (with the parser's line and column), for a structure that
// is not a Keras 3 model (naming the key path, e.g. "config.layers[3].config.kernel_size"), and
// for files over 32 MiB or nested over 64 levels; InvalidArgument naming the layer for
// unsupported classes (listing the supported ones) or settings (channels_first, BatchNormalization
// on another axis than the last, keepdims, nested models), for layers that would execute code,
// for references to unknown layers or calls, and for cycles.
Architecture read_keras_json(std::string_view text, std::string_view model_name = "");

}  // namespace strider::model
