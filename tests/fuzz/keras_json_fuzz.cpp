// Fuzz target: the Keras 3 JSON reader on arbitrary text. It must either throw strider::Error
// (never another exception, such as the JSON library's own) or give an architecture that
// validates, resolves or refuses to resolve with strider::Error, and whose compact spec parses
// back to the same spec (or, for layer names the grammar cannot write, is refused by name).
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_input.hpp"
#include "strider/core/error.hpp"
#include "strider/model/keras_json.hpp"
#include "strider/model/resolve.hpp"
#include "strider/model/spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using strider::fuzz::invariant_failed;
  const std::string text(reinterpret_cast<const char*>(data), size);
  strider::model::Architecture architecture;
  try {
    architecture = strider::model::read_keras_json(text);
  } catch (const strider::Error&) {
    return 0;
  }
  try {
    architecture.validate();
  } catch (const strider::Error& e) {
    invariant_failed("a model read from Keras JSON does not validate", e.what());
  }
  try {
    strider::model::resolve(architecture);
  } catch (const strider::Error&) {
  }
  // Keras allows layer names the spec grammar cannot write (a backquote, a space): the spec
  // formatter must refuse exactly those, by name, and write every other model.
  bool writable = true;
  for (const auto& layer : architecture.layers) {
    writable = writable && !layer.name.empty();
    for (const char c : layer.name) {
      writable =
          writable && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '_' || c == '/' || c == '.' || c == '-');
    }
  }
  std::string spec;
  try {
    spec = strider::model::format_model_spec(architecture);
  } catch (const strider::InvalidArgument& e) {
    if (writable) invariant_failed("the spec formatter refused a model it can write", e.what());
    return 0;
  }
  if (!writable) invariant_failed("the spec formatter wrote a name it cannot read back", spec);
  try {
    const std::string again =
        strider::model::format_model_spec(strider::model::parse_model_spec(spec));
    if (again != spec) invariant_failed("the spec changes when parsed back", spec + "\n" + again);
  } catch (const strider::Error& e) {
    invariant_failed("the spec of a Keras model does not parse back",
                     std::string(e.what()) + "\n" + spec);
  }
  return 0;
}
