// The one place kernels go parallel: body(i) for i in [0, count) on OpenMP threads when
// `threaded`, else a plain loop. Entering an OpenMP region costs about a microsecond even with
// if(false): a quarter of a 1x1x1x1 conv2d call, measured with callgrind.
#pragma once

#include <cstdint>

namespace strider::kernels {

template <class Body>
void parallel_for(std::int64_t count, bool threaded, const Body& body) {
  if (threaded) {
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < count; ++i) body(i);
  } else {
    for (std::int64_t i = 0; i < count; ++i) body(i);
  }
}

}  // namespace strider::kernels
