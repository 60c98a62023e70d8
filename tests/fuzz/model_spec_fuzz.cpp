// Fuzz target: the compact model spec on arbitrary text. Parsing must either throw strider::Error
// or give an architecture that validates; its formatted spec must parse back to the same spec
// (as spec.hpp promises); and resolving it, for its own input size and for a small one, must
// either throw strider::Error or give shapes without negative extents.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_input.hpp"
#include "strider/core/error.hpp"
#include "strider/model/resolve.hpp"
#include "strider/model/spec.hpp"

namespace {

void resolve_and_check(const strider::model::Architecture& architecture,
                       const strider::Shape& input, const std::string& spec) {
  strider::model::ResolvedModel resolved;
  try {
    resolved = strider::model::resolve(architecture, input);
  } catch (const strider::Error&) {
    return;
  }
  for (const strider::model::ResolvedLayer& layer : resolved.layers) {
    for (const std::int64_t extent : layer.output_shape) {
      if (extent < 0) strider::fuzz::invariant_failed("a negative output extent", spec);
    }
    if (layer.params < 0 || layer.macs < 0) {
      strider::fuzz::invariant_failed("a negative parameter or MAC count", spec);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using strider::fuzz::invariant_failed;
  const std::string text(reinterpret_cast<const char*>(data), size);
  strider::model::Architecture architecture;
  try {
    architecture = strider::model::parse_model_spec(text);
  } catch (const strider::Error&) {
    return 0;
  }
  try {
    architecture.validate();
  } catch (const strider::Error& e) {
    invariant_failed("a parsed spec does not validate", text + "\n" + e.what());
  }
  const std::string spec = strider::model::format_model_spec(architecture);
  try {
    const std::string again =
        strider::model::format_model_spec(strider::model::parse_model_spec(spec));
    if (again != spec) invariant_failed("the spec changes when parsed back", spec + "\n" + again);
  } catch (const strider::Error& e) {
    invariant_failed("a formatted spec does not parse back", spec + "\n" + e.what());
  }
  resolve_and_check(architecture, {}, text);
  resolve_and_check(architecture, {9, 7, 2}, text);
  return 0;
}
