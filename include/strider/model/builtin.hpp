// Built-in architectures by name: keras.applications' resnet50, vgg16, mobilenet_v2 and
// inception_v3, and TF-Slim's alexnet_v2, vgg_16, mobilenet_v1, resnet_v1_50 and
// inception_v3_slim with their end points named as TF-Slim names them.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "strider/model/architecture.hpp"

namespace strider::model {

// The names `builtin_model` knows, in a stable order.
std::vector<std::string_view> builtin_model_names();

// The architecture called `name`, or nullopt.
std::optional<Architecture> builtin_model(std::string_view name);

}  // namespace strider::model
