// What the fuzz targets share: a reader that turns libFuzzer's bytes into the integers a user could
// type (mostly small, sometimes an edge of the 64-bit range, sometimes any 64-bit value), and the
// check that stops the run with the parameters when an invariant breaks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <span>
#include <string>

namespace strider::fuzz {

class FuzzInput {
 public:
  explicit FuzzInput(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  bool empty() const { return pos_ >= bytes_.size(); }

  // One byte; 0 once the input is used up.
  std::uint8_t byte() { return empty() ? 0 : bytes_[pos_++]; }

  // One integer, from a tag byte:
  //   0x00-0xCF  small values -2..17 (tag % 20 - 2): where kernels and windows are interesting;
  //   0xD0-0xDF  an edge: 0, +-1, 2^31 - 1, 2^31, 2^32, 2^62, INT64_MAX, INT64_MIN, ...;
  //   0xE0-0xEF  a power of two 2^(4 * (tag - 0xE0)) and its neighbours' range;
  //   0xF0-0xFF  any value: the next 8 bytes, little-endian.
  // 1 once the input is used up, so that a short input still describes a problem.
  std::int64_t integer() {
    if (empty()) return 1;
    const std::uint8_t tag = byte();
    if (tag < 0xD0) return tag % 20 - 2;
    if (tag < 0xE0) {
      static constexpr std::int64_t kEdges[16] = {
          0,
          -1,
          std::numeric_limits<std::int32_t>::max(),
          std::int64_t{1} << 31,
          std::int64_t{1} << 32,
          (std::int64_t{1} << 32) - 1,
          std::int64_t{1} << 62,
          std::numeric_limits<std::int64_t>::max(),
          std::numeric_limits<std::int64_t>::min(),
          std::numeric_limits<std::int64_t>::max() / 2,
          std::numeric_limits<std::int64_t>::max() - 1,
          std::int64_t{3037000499},  // floor(sqrt(INT64_MAX))
          std::int64_t{1} << 21,
          std::int64_t{2097151},
          -(std::int64_t{1} << 62),
          std::numeric_limits<std::int64_t>::min() + 1,
      };
      return kEdges[tag - 0xD0];
    }
    if (tag < 0xF0) {
      const int shift = 4 * (tag - 0xE0);
      const std::int64_t base =
          shift >= 63 ? std::numeric_limits<std::int64_t>::max() : (std::int64_t{1} << shift);
      return base + static_cast<std::int8_t>(byte());
    }
    std::uint64_t raw = 0;
    for (int i = 0; i < 8; ++i) raw |= static_cast<std::uint64_t>(byte()) << (8 * i);
    return static_cast<std::int64_t>(raw);
  }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
};

// Prints the broken invariant and the problem, then aborts: libFuzzer saves the input as a crash.
[[noreturn]] inline void invariant_failed(const char* what, const std::string& problem) {
  std::fprintf(stderr, "strider fuzz: invariant broken: %s\n  problem: %s\n", what,
               problem.c_str());
  std::abort();
}

}  // namespace strider::fuzz
