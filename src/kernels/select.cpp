#include "kernels/select.hpp"

#include <cstdlib>
#include <cstring>

namespace strider::kernels {

bool verbose() {
  // Read once: selection runs on every op call, and getenv scans the whole environment.
  static const bool on = [] {
    const char* v = std::getenv("STRIDER_VERBOSE");
    return v != nullptr && v[0] != '\0' && std::strcmp(v, "0") != 0;
  }();
  return on;
}

}  // namespace strider::kernels
