// The built-in architectures, each written as generated model-spec text (so the built-ins exercise
// the same grammar users write). Registered by name in builtin.cpp.
#pragma once

#include <fmt/format.h>

#include <iterator>
#include <string>
#include <string_view>
#include <utility>

#include "strider/model/architecture.hpp"
#include "strider/model/spec.hpp"

namespace strider::model::builtins {

// keras.applications with include_top=True and Keras's layer names (builtin_keras.cpp).
Architecture resnet50();      // 224 x 224 x 3
Architecture vgg16();         // 224 x 224 x 3
Architecture mobilenet_v2();  // alpha 1.0, 224 x 224 x 3
Architecture inception_v3();  // 299 x 299 x 3

// TF-Slim nets as google-research/receptive_field's rf_benchmark builds them (no classifier head,
// no global pool), with each layer's TF-Slim end point (builtin_slim.cpp).
Architecture alexnet_v2();         // 224 x 224 x 3
Architecture vgg_16();             // 224 x 224 x 3
Architecture mobilenet_v1();       // 224 x 224 x 3, depth multiplier 1.0
Architecture resnet_v1_50();       // 224 x 224 x 3
Architecture inception_v3_slim();  // 299 x 299 x 3

// Spec text built one item (line) at a time.
class SpecText {
 public:
  template <typename... Args>
  void add(fmt::format_string<Args...> format, Args&&... args) {
    fmt::format_to(std::back_inserter(text_), format, std::forward<Args>(args)...);
    text_.push_back('\n');
  }

  // Parses the text; a mistake in a built-in throws InvalidArgument like any spec.
  Architecture parse(std::string_view model_name) const {
    return parse_model_spec(text_, model_name);
  }

 private:
  std::string text_;
};

}  // namespace strider::model::builtins
