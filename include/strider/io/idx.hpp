// IDX files (the format of MNIST and Fashion-MNIST), plain or gzip-compressed: the training data's
// way in. The reader treats every file as hostile (it is a fuzz target).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

namespace strider::io {

// The element type, the third byte of an IDX file's magic number. Values are big-endian.
enum class IdxType : std::uint8_t {
  kU8 = 0x08,   // unsigned byte
  kI8 = 0x09,   // signed byte
  kI16 = 0x0B,  // short (2 bytes)
  kI32 = 0x0C,  // int (4 bytes)
  kF32 = 0x0D,  // float (4 bytes)
  kF64 = 0x0E,  // double (8 bytes)
};

// "uint8", "int8", "int16", "int32", "float32", "float64".
std::string_view idx_type_name(IdxType type);

// An IDX array of unsigned bytes, in C order (MNIST images are [N, rows, cols], labels [N]).
struct IdxArray {
  IdxType type = IdxType::kU8;
  std::vector<std::int64_t> shape;
  std::vector<std::uint8_t> u8;
};

// The most dimensions an IDX file may declare (the format allows 255; Tensor holds 8).
inline constexpr int kIdxMaxRank = 8;

// Parses an IDX file's bytes; gzip-compressed input (magic 1f 8b, several members allowed) is
// recognised by its first bytes, not by a name, and decompressed as it is read. `name` (usually
// the path) starts every error message.
// Throws FormatError, one line naming the file and the problem, when: the input is not IDX (the
// magic number's first two bytes are not zero), the type code is unknown, the rank is 0 or above
// kIdxMaxRank, the dimensions' product overflows, the data is shorter than the dimensions say
// ("x: truncated: the dimensions (60000, 28, 28) need 47040000 bytes of data, found 1000") or
// followed by trailing bytes, the gzip stream is corrupt or truncated, or the type is valid but
// not unsigned bytes (the one type Strider's datasets use; the message names it). The size is
// checked before anything is allocated: a compressed stream is never inflated beyond what its
// header declares, so a gzip bomb costs no memory; ResourceError when even that exceeds the
// memory limit (strider/core/memory.hpp).
IdxArray parse_idx(std::span<const std::byte> bytes, std::string_view name = "IDX data");

// read_file + parse_idx. Throws IoError when the file cannot be read, FormatError as parse_idx.
IdxArray read_idx(const std::filesystem::path& path);

}  // namespace strider::io
