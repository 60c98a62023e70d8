#include "strider/model/load.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <string>
#include <vector>

#include "strider/core/error.hpp"
#include "strider/io/atomic_file.hpp"
#include "strider/model/builtin.hpp"
#include "strider/model/keras_json.hpp"
#include "strider/model/spec.hpp"

namespace strider::model {

Architecture load_model(std::string_view what) {
  if (auto builtin = builtin_model(what)) return *builtin;
  std::error_code ec;
  const std::filesystem::path path{std::string(what)};
  if (!what.empty() && what.find_first_of("(;\n") == std::string_view::npos &&
      std::filesystem::is_regular_file(path, ec)) {
    const std::vector<std::byte> bytes = io::read_file(path);
    const std::string text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    const std::string stem = path.stem().string();
    const std::size_t first = text.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && text[first] == '{') return read_keras_json(text, stem);
    return parse_model_spec(text, stem);
  }
  if (what.find_first_of("(;\n") != std::string_view::npos) return parse_model_spec(what);
  if (what.find_first_of("/.") != std::string_view::npos) {
    throw IoError(fmt::format("MODEL: cannot open '{}': {}", what,
                              ec ? ec.message() : "no such regular file"));
  }
  throw InvalidArgument(
      fmt::format("MODEL: '{}' is not a built-in model ({}), a file, or a model spec such as "
                  "'input(28,28,1); conv(32,3); gap; dense(10)'",
                  what, fmt::join(builtin_model_names(), ", ")));
}

}  // namespace strider::model
