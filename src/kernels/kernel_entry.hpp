// One entry of a kernel family's list: a name (for --impl and STRIDER_VERBOSE), whether it handles
// a geometry on this CPU, and the routine. Families with extra steps (Conv2D's filter packing)
// extend it.
#pragma once

#include <string_view>

namespace strider::kernels {

template <class Geometry, class Problem>
struct KernelEntry {
  std::string_view name;
  bool (*supports)(const Geometry& geometry);
  void (*run)(const Problem& problem);
};

}  // namespace strider::kernels
