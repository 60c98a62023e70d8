// One entry point for every way a user names a model on the command line: a built-in name, a
// Keras JSON file, a spec file, or a spec string.
#pragma once

#include <string_view>

#include "strider/model/architecture.hpp"

namespace strider::model {

// `what` is a built-in name (see builtin_model_names), a path to a Keras JSON file (content
// starting with '{') or to a spec file, or a spec string (contains '(' or ';'). Throws
// InvalidArgument when it is none of these, IoError when a file cannot be read, and the readers'
// errors otherwise.
Architecture load_model(std::string_view what);

}  // namespace strider::model
