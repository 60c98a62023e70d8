// The table of built-in architectures by name; the builders are in builtin_keras.cpp and
// builtin_slim.cpp.
#include "strider/model/builtin.hpp"

#include <algorithm>

#include "builtin_models.hpp"

namespace strider::model {
namespace {

struct Builtin {
  std::string_view name;
  Architecture (*make)();
};

const std::vector<Builtin>& registry() {
  static const std::vector<Builtin> table = {
      {"resnet50", builtins::resnet50},
      {"vgg16", builtins::vgg16},
      {"mobilenet_v2", builtins::mobilenet_v2},
      {"inception_v3", builtins::inception_v3},
      {"alexnet_v2", builtins::alexnet_v2},
      {"vgg_16", builtins::vgg_16},
      {"mobilenet_v1", builtins::mobilenet_v1},
      {"resnet_v1_50", builtins::resnet_v1_50},
      {"inception_v3_slim", builtins::inception_v3_slim},
  };
  return table;
}

}  // namespace

std::vector<std::string_view> builtin_model_names() {
  std::vector<std::string_view> names;
  for (const Builtin& b : registry()) names.push_back(b.name);
  return names;
}

std::optional<Architecture> builtin_model(std::string_view name) {
  const auto& table = registry();
  const auto it =
      std::find_if(table.begin(), table.end(), [&](const Builtin& b) { return b.name == name; });
  if (it == table.end()) return std::nullopt;
  return it->make();
}

}  // namespace strider::model
