// For each input position of one axis, the windows that read it: the forward's valid taps
// (Window::valid_taps, Window::tap) walked once and inverted, so gather kernels (the backward
// input gradients) repeat no index arithmetic of their own.
#pragma once

#include <cstdint>
#include <vector>

#include "strider/geometry/window.hpp"

namespace strider::kernels {

// Input position i is read by the (output[a], tap[a]) pairs for a in [start[i], start[i + 1]),
// outputs ascending.
struct Readers {
  std::vector<std::int64_t> start;  // input_size + 1 offsets into output / tap
  std::vector<std::int64_t> output, tap;
};

Readers readers_of(const Window& w);

}  // namespace strider::kernels
