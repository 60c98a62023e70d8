#include "kernels/select.hpp"

#include <cstdlib>
#include <cstring>

namespace strider::kernels {

bool verbose() {
  const char* v = std::getenv("STRIDER_VERBOSE");
  return v != nullptr && v[0] != '\0' && std::strcmp(v, "0") != 0;
}

}  // namespace strider::kernels
