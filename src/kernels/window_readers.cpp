#include "kernels/window_readers.hpp"

namespace strider::kernels {

Readers readers_of(const Window& w) {
  const std::int64_t in = w.input_size(), out = w.output_size();
  Readers r;
  r.start.assign(static_cast<std::size_t>(in + 1), 0);
  for (std::int64_t o = 0; o < out; ++o) {
    const TapRange t = w.valid_taps(o);
    for (std::int64_t j = t.begin; j < t.end; ++j)
      ++r.start[static_cast<std::size_t>(w.tap(o, j) + 1)];
  }
  for (std::int64_t i = 0; i < in; ++i) {
    r.start[static_cast<std::size_t>(i + 1)] += r.start[static_cast<std::size_t>(i)];
  }
  r.output.resize(static_cast<std::size_t>(r.start.back()));
  r.tap.resize(r.output.size());
  std::vector<std::int64_t> next(r.start.begin(), r.start.end() - 1);
  for (std::int64_t o = 0; o < out; ++o) {
    const TapRange t = w.valid_taps(o);
    for (std::int64_t j = t.begin; j < t.end; ++j) {
      const auto at = static_cast<std::size_t>(next[static_cast<std::size_t>(w.tap(o, j))]++);
      r.output[at] = o;
      r.tap[at] = j;
    }
  }
  return r;
}

}  // namespace strider::kernels
