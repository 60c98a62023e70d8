// The one place kernels go parallel: body(i) for i in [0, count) on OpenMP threads when
// `threaded`, else a plain loop. Entering an OpenMP region costs about a microsecond even with
// if(false): a quarter of a 1x1x1x1 conv2d call, measured with callgrind.
#pragma once

#include <omp.h>

#include <algorithm>
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

// parallel_for for items of unequal cost (the border tiles of a convolution read fewer taps than
// the interior's): threads take chunks of about 1/32 of their share as they finish, where a
// static split left one thread waiting for the other. Only for bodies whose results do not
// depend on which thread runs an index.
template <class Body>
void parallel_for_balanced(std::int64_t count, bool threaded, const Body& body) {
  if (threaded) {
#pragma omp parallel
    {
      const std::int64_t chunk = std::max<std::int64_t>(1, count / (32 * omp_get_num_threads()));
#pragma omp for schedule(dynamic, chunk)
      for (std::int64_t i = 0; i < count; ++i) body(i);
    }
  } else {
    for (std::int64_t i = 0; i < count; ++i) body(i);
  }
}

}  // namespace strider::kernels
