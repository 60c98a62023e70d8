// Scratch floats that start on a 64-byte cache line, for kernels that load whole vectors of them
// (packed filters, column-matrix panels, partial sums). malloc aligns to 16 bytes, so a 64-byte
// AVX-512 load from a std::vector straddles two lines whenever its offset is not a multiple of
// 16 floats; on Ice Lake such split loads halved the forward kernel's speed.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

namespace strider::kernels {

inline constexpr std::size_t kLineBytes = 64;

struct FreeAligned {
  void operator()(float* p) const noexcept { std::free(p); }
};
using AlignedFloats = std::unique_ptr<float[], FreeAligned>;

// `count` floats, not initialised (for buffers written before they are read). Throws
// std::bad_alloc, like the std::vector it replaces, when the memory is not there.
inline AlignedFloats aligned_floats_for_overwrite(std::int64_t count) {
  const std::size_t bytes = static_cast<std::size_t>(count > 0 ? count : 1) * sizeof(float);
  void* p = std::aligned_alloc(kLineBytes, (bytes + kLineBytes - 1) / kLineBytes * kLineBytes);
  if (p == nullptr) throw std::bad_alloc();
  return AlignedFloats(static_cast<float*>(p));
}

// `count` floats, all zero.
inline AlignedFloats aligned_floats(std::int64_t count) {
  AlignedFloats p = aligned_floats_for_overwrite(count);
  if (count > 0) std::memset(p.get(), 0, static_cast<std::size_t>(count) * sizeof(float));
  return p;
}

}  // namespace strider::kernels
