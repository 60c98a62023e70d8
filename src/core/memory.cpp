// The memory limit: one atomic counter of reserved bytes, checked against a limit that starts at
// the machine's memory.
#include "strider/core/memory.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <fstream>
#include <limits>
#include <string>

#include "strider/core/error.hpp"
#include "strider/core/parse.hpp"
#include "strider/core/tensor.hpp"

namespace strider {
namespace {

constexpr std::int64_t kUnlimited = std::numeric_limits<std::int64_t>::max();
__extension__ typedef __int128 Int128;  // GCC and clang both have it; -Wpedantic wants it named

std::int64_t physical_memory() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0) return 0;
  std::int64_t bytes = 0;
  if (__builtin_mul_overflow(static_cast<std::int64_t>(pages), page_size, &bytes))
    return kUnlimited;
  return bytes;
}

// cgroup v2's limit for this process's group: "max" or a byte count. Containers report the host's
// RAM through sysconf, so without this a container's limit would still end in the OOM killer.
std::int64_t cgroup_memory_max() {
  std::ifstream in("/sys/fs/cgroup/memory.max");
  std::string text;
  if (!(in >> text) || text.empty() || text == "max") return 0;
  std::int64_t value = 0;
  for (const char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return 0;
    if (__builtin_mul_overflow(value, 10, &value) || __builtin_add_overflow(value, c - '0', &value))
      return 0;
  }
  return value;
}

std::atomic<std::int64_t>& limit_bytes() {
  static std::atomic<std::int64_t> limit{[] {
    const std::int64_t available = available_memory_bytes();
    return available > 0 ? available : kUnlimited;
  }()};
  return limit;
}

std::atomic<std::int64_t> in_use_bytes{0};

}  // namespace

std::int64_t available_memory_bytes() {
  const std::int64_t physical = physical_memory();
  const std::int64_t cgroup = cgroup_memory_max();
  if (cgroup > 0 && (physical == 0 || cgroup < physical)) return cgroup;
  return physical;
}

std::int64_t memory_limit() { return limit_bytes().load(std::memory_order_relaxed); }

void set_memory_limit(std::int64_t bytes) {
  if (bytes < 1) {
    throw InvalidArgument(fmt::format("memory limit must be >= 1 byte, got {}", bytes));
  }
  limit_bytes().store(bytes, std::memory_order_relaxed);
}

std::int64_t memory_in_use() { return in_use_bytes.load(std::memory_order_relaxed); }

std::int64_t parse_memory_size(std::string_view text, std::string_view what) {
  const auto fail = [&]() -> std::int64_t {
    throw InvalidArgument(fmt::format(
        "{}: expected a size such as 512M, 4G or 1048576 (bytes; K, M, G, T are powers of 1024), "
        "got '{}'",
        what, text));
  };
  std::size_t pos = 0;
  const auto digits = [&](std::string_view& out) {
    const std::size_t start = pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
    out = text.substr(start, pos - start);
  };
  std::string_view whole, fraction;
  digits(whole);
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    digits(fraction);
    if (fraction.empty() || fraction.size() > 9) return fail();
  }
  if (whole.empty()) return fail();
  std::string suffix;
  for (; pos < text.size(); ++pos) {
    suffix.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(text[pos]))));
  }
  int shift = 0;
  if (!suffix.empty() && suffix != "B") {
    const std::string_view units = "KMGT";
    const std::size_t unit = units.find(suffix[0]);
    const std::string_view rest = std::string_view(suffix).substr(1);
    if (unit == std::string_view::npos || !(rest.empty() || rest == "B" || rest == "IB")) {
      return fail();
    }
    shift = 10 * static_cast<int>(unit + 1);
  }
  if (!fraction.empty() && shift == 0) return fail();  // "1.5" bytes
  // 128-bit arithmetic: every accepted text is below 2^63 * 10^9, far inside it.
  Int128 value = 0;
  for (const char c : whole) {
    value = value * 10 + (c - '0');
    if (value > kUnlimited) return fail();
  }
  value <<= shift;
  Int128 scale = 1, part = 0;
  for (const char c : fraction) {
    part = part * 10 + (c - '0');
    scale *= 10;
  }
  value += (part << shift) / scale;
  if (value < 1 || value > kUnlimited) return fail();
  return static_cast<std::int64_t>(value);
}

std::string format_memory_size(std::int64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < std::size(kUnits)) {
    value /= 1024.0;
    ++unit;
  }
  const std::string scaled =
      unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, kUnits[unit]);
  if (unit == 0) return scaled;
  return fmt::format("{} ({} bytes)", scaled, format_count(bytes));
}

MemoryReservation::MemoryReservation(std::int64_t bytes, std::string_view what,
                                     std::span<const std::int64_t> shape) {
  if (bytes <= 0) return;
  const std::int64_t limit = memory_limit();
  const auto refuse = [&](std::int64_t in_use) {
    std::string subject(what);
    if (!shape.empty()) {
      subject.append(" of shape ");
      subject.append(format_shape(shape));
    }
    throw ResourceError(fmt::format(
        "{} needs {}; the memory limit is {} with {} in use (--max-memory or set_memory_limit() "
        "raises it)",
        subject, format_memory_size(bytes), format_memory_size(limit), format_memory_size(in_use)));
  };
  // Checked before the counter moves, so that it never wraps; then reserved, and undone if another
  // thread's reservation got there first.
  if (bytes > limit) refuse(memory_in_use());
  const std::int64_t before = in_use_bytes.fetch_add(bytes, std::memory_order_relaxed);
  if (before > limit - bytes) {
    in_use_bytes.fetch_sub(bytes, std::memory_order_relaxed);
    refuse(before);
  }
  bytes_ = bytes;
}

MemoryReservation& MemoryReservation::operator=(MemoryReservation&& other) noexcept {
  if (this != &other) {
    release();
    bytes_ = other.bytes_;
    other.bytes_ = 0;
  }
  return *this;
}

void MemoryReservation::release() {
  if (bytes_ > 0) in_use_bytes.fetch_sub(bytes_, std::memory_order_relaxed);
  bytes_ = 0;
}

}  // namespace strider
