// The process-wide memory limit: every large allocation Strider makes (tensors, file buffers,
// kernel scratch) is reserved here first, so that a shape that would need more memory than the
// limit is refused with its size in the message, before anything is allocated, instead of the
// kernel's OOM killer ending the process half-way (Linux overcommits: malloc succeeds, touching the
// pages kills).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace strider {

// The machine's memory in bytes: physical RAM (sysconf), or the cgroup's memory.max when a
// container sets a smaller one. 0 when neither can be read.
std::int64_t available_memory_bytes();

// The limit that reservations are checked against; it starts as available_memory_bytes() (or
// unlimited when that is unknown). The CLI's --max-memory sets it.
std::int64_t memory_limit();

// Sets the limit in bytes. Throws InvalidArgument for a value < 1.
void set_memory_limit(std::int64_t bytes);

// Bytes currently reserved by live tensors, file buffers and scratch space.
std::int64_t memory_in_use();

// "512M", "4G", "1.5G", "1048576", "64KiB": a byte count with an optional binary suffix K, M, G or
// T (1024-based, as ulimit and docker take them), optionally followed by "B" or "iB"; case does not
// matter. Throws InvalidArgument naming `what` for anything else, for 0, or beyond int64.
std::int64_t parse_memory_size(std::string_view text, std::string_view what);

// "7.6 GiB (8,153,309,184 bytes)": the size a memory error reports.
std::string format_memory_size(std::int64_t bytes);

// A reservation of `bytes` against the limit, held for as long as the memory is. Throws
// ResourceError naming `what` (and `shape`, when given), the size, the limit and what is already in
// use when it would take the total above the limit, e.g. "a float32 tensor of shape (1, 100000,
// 100000, 32) needs 1.2 TiB (1,280,000,000,000 bytes); the memory limit is 16.0 GiB (...) with 0 B
// in use (--max-memory or set_memory_limit() raises it)". The message is only built when thrown.
class MemoryReservation {
 public:
  MemoryReservation() = default;
  MemoryReservation(std::int64_t bytes, std::string_view what,
                    std::span<const std::int64_t> shape = {});
  MemoryReservation(MemoryReservation&& other) noexcept : bytes_(other.bytes_) { other.bytes_ = 0; }
  MemoryReservation& operator=(MemoryReservation&& other) noexcept;
  MemoryReservation(const MemoryReservation&) = delete;
  MemoryReservation& operator=(const MemoryReservation&) = delete;
  ~MemoryReservation() { release(); }

  std::int64_t bytes() const { return bytes_; }
  void release();

 private:
  std::int64_t bytes_ = 0;
};

}  // namespace strider
