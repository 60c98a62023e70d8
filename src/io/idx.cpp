// The IDX reader. Input is read through a byte source (the file's bytes, or a zlib inflater over
// them), so that the header is known before any data is decompressed and nothing is ever inflated
// beyond the size the header declares.
#define ZLIB_CONST
#include "strider/io/idx.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <climits>
#include <memory>
#include <string>

#include "strider/core/error.hpp"
#include "strider/core/memory.hpp"
#include "strider/core/tensor.hpp"
#include "strider/io/atomic_file.hpp"

namespace strider::io {
namespace {

// Deflate emits at least one bit per 258-byte match (RFC 1951), so no stream inflates to more than
// about 1032 times its size; a header declaring more than that is truncated, whatever follows.
constexpr std::int64_t kMaxDeflateRatio = 1032;

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Fills `out` as far as the input allows and returns the count: less than out.size() only when
  // the input has ended.
  virtual std::size_t read(std::span<std::uint8_t> out) = 0;
  // The bytes read so far.
  virtual std::int64_t position() const = 0;
};

class PlainSource final : public ByteSource {
 public:
  explicit PlainSource(std::span<const std::byte> bytes) : bytes_(bytes) {}

  std::size_t read(std::span<std::uint8_t> out) override {
    const std::size_t n = std::min(out.size(), bytes_.size() - pos_);
    std::copy_n(reinterpret_cast<const std::uint8_t*>(bytes_.data()) + pos_, n, out.data());
    pos_ += n;
    return n;
  }
  std::int64_t position() const override { return static_cast<std::int64_t>(pos_); }

 private:
  std::span<const std::byte> bytes_;
  std::size_t pos_ = 0;
};

// A gzip stream of one or more members (as `cat a.gz b.gz` makes), inflated on demand.
class GzipSource final : public ByteSource {
 public:
  GzipSource(std::span<const std::byte> bytes, std::string_view name) : bytes_(bytes), name_(name) {
    if (inflateInit2(&stream_, 16 + MAX_WBITS) != Z_OK) {
      throw ResourceError(fmt::format("{}: cannot start the gzip decompressor", name_));
    }
  }
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;
  ~GzipSource() override { inflateEnd(&stream_); }

  std::size_t read(std::span<std::uint8_t> out) override {
    std::size_t done = 0;
    while (done < out.size() && !finished_) {
      if (stream_.avail_in == 0) feed();
      const std::size_t want = std::min<std::size_t>(out.size() - done, UINT_MAX);
      stream_.next_out = out.data() + done;
      stream_.avail_out = static_cast<uInt>(want);
      const int rc = inflate(&stream_, Z_NO_FLUSH);
      const std::size_t produced = want - stream_.avail_out;
      done += produced;
      produced_ += static_cast<std::int64_t>(produced);
      if (rc == Z_STREAM_END) {
        next_member();
      } else if (rc == Z_BUF_ERROR && stream_.avail_in == 0 && fed_ == bytes_.size()) {
        throw FormatError(fmt::format(
            "{}: truncated gzip stream: the compressed data ends after {} bytes of output", name_,
            produced_));
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        throw FormatError(fmt::format("{}: corrupt gzip data: {}", name_,
                                      stream_.msg != nullptr ? stream_.msg : zError(rc)));
      }
    }
    return done;
  }
  std::int64_t position() const override { return produced_; }

 private:
  // zlib counts input in 32-bit units: hand it the file in pieces.
  void feed() {
    const std::size_t n = std::min<std::size_t>(bytes_.size() - fed_, UINT_MAX);
    stream_.next_in = reinterpret_cast<const Bytef*>(bytes_.data()) + fed_;
    stream_.avail_in = static_cast<uInt>(n);
    fed_ += n;
  }

  // At the end of a member: another member may follow; anything else is an error.
  void next_member() {
    const std::size_t left = stream_.avail_in + (bytes_.size() - fed_);
    if (left == 0) {
      finished_ = true;
      return;
    }
    const std::size_t at = bytes_.size() - left;
    if (left < 2 || bytes_[at] != std::byte{0x1f} || bytes_[at + 1] != std::byte{0x8b}) {
      throw FormatError(
          fmt::format("{}: {} bytes of trailing garbage after the gzip stream", name_, left));
    }
    if (inflateReset(&stream_) != Z_OK) {
      throw FormatError(fmt::format("{}: cannot restart the gzip decompressor", name_));
    }
  }

  std::span<const std::byte> bytes_;
  std::string_view name_;
  z_stream stream_{};
  std::size_t fed_ = 0;
  std::int64_t produced_ = 0;
  bool finished_ = false;
};

bool is_gzip(std::span<const std::byte> bytes) {
  return bytes.size() >= 2 && bytes[0] == std::byte{0x1f} && bytes[1] == std::byte{0x8b};
}

std::int64_t element_size(IdxType type) {
  switch (type) {
    case IdxType::kU8:
    case IdxType::kI8:
      return 1;
    case IdxType::kI16:
      return 2;
    case IdxType::kI32:
    case IdxType::kF32:
      return 4;
    case IdxType::kF64:
      return 8;
  }
  return 0;
}

bool is_known_type(std::uint8_t code) {
  return code == 0x08 || code == 0x09 || code == 0x0B || code == 0x0C || code == 0x0D ||
         code == 0x0E;
}

// Reads `count` bytes and drops them, through a small buffer: the data of a type Strider refuses
// is still checked for its length, without holding it.
std::int64_t skip(ByteSource& source, std::int64_t count) {
  std::array<std::uint8_t, 1 << 16> scratch;
  std::int64_t done = 0;
  while (done < count) {
    const auto want = static_cast<std::size_t>(
        std::min<std::int64_t>(count - done, static_cast<std::int64_t>(scratch.size())));
    const std::size_t got = source.read(std::span(scratch).first(want));
    done += static_cast<std::int64_t>(got);
    if (got < want) break;
  }
  return done;
}

[[noreturn]] void throw_truncated(std::string_view name, const Shape& shape, std::int64_t need,
                                  std::int64_t found) {
  throw FormatError(fmt::format("{}: truncated: the dimensions {} need {} bytes of data, found {}",
                                name, format_shape(shape), need, found));
}

}  // namespace

std::string_view idx_type_name(IdxType type) {
  switch (type) {
    case IdxType::kU8:
      return "uint8";
    case IdxType::kI8:
      return "int8";
    case IdxType::kI16:
      return "int16";
    case IdxType::kI32:
      return "int32";
    case IdxType::kF32:
      return "float32";
    case IdxType::kF64:
      return "float64";
  }
  return "unknown";
}

IdxArray parse_idx(std::span<const std::byte> bytes, std::string_view name) {
  const bool gzip = is_gzip(bytes);
  std::unique_ptr<ByteSource> source;
  if (gzip) {
    source = std::make_unique<GzipSource>(bytes, name);
  } else {
    source = std::make_unique<PlainSource>(bytes);
  }

  std::array<std::uint8_t, 4> magic{};
  if (const std::size_t got = source->read(magic); got < magic.size()) {
    throw FormatError(fmt::format(
        "{}: truncated: an IDX file starts with a 4-byte magic number, found {} bytes", name, got));
  }
  if (magic[0] != 0 || magic[1] != 0) {
    throw FormatError(
        fmt::format("{}: not an IDX file: the magic number must start with two zero bytes, found "
                    "{:02x} {:02x}",
                    name, magic[0], magic[1]));
  }
  if (!is_known_type(magic[2])) {
    throw FormatError(fmt::format(
        "{}: unknown IDX type code 0x{:02x}; the format defines 0x08 (uint8), 0x09 (int8), "
        "0x0b (int16), 0x0c (int32), 0x0d (float32) and 0x0e (float64)",
        name, magic[2]));
  }
  const auto type = static_cast<IdxType>(magic[2]);
  const int rank = magic[3];
  if (rank < 1 || rank > kIdxMaxRank) {
    throw FormatError(
        fmt::format("{}: IDX rank {} is not supported; expected 1 to {}", name, rank, kIdxMaxRank));
  }

  std::array<std::uint8_t, 4 * kIdxMaxRank> dims{};
  const auto dims_bytes = static_cast<std::size_t>(4 * rank);
  if (const std::size_t got = source->read(std::span(dims).first(dims_bytes)); got < dims_bytes) {
    throw FormatError(
        fmt::format("{}: truncated: the header declares {} dimensions ({} bytes), found {} bytes",
                    name, rank, dims_bytes, got));
  }
  Shape shape(static_cast<std::size_t>(rank));
  std::int64_t need = element_size(type);
  bool overflow = false;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const std::uint32_t extent = (std::uint32_t{dims[4 * i]} << 24) |
                                 (std::uint32_t{dims[4 * i + 1]} << 16) |
                                 (std::uint32_t{dims[4 * i + 2]} << 8) | dims[4 * i + 3];
    shape[i] = extent;
    overflow = overflow || __builtin_mul_overflow(need, shape[i], &need);
  }
  if (overflow) {
    throw FormatError(fmt::format("{}: the dimensions {} of {} elements overflow 64-bit sizes",
                                  name, format_shape(shape), idx_type_name(type)));
  }

  // Sizes are checked against what the input can hold before anything is allocated.
  const auto header_bytes = static_cast<std::int64_t>(4 + dims_bytes);
  const auto size = static_cast<std::int64_t>(bytes.size());
  if (!gzip) {
    const std::int64_t present = size - header_bytes;
    if (present < need) throw_truncated(name, shape, need, present);
    if (present > need) {
      throw FormatError(
          fmt::format("{}: {} trailing bytes after the {} bytes of data the dimensions {} declare",
                      name, present - need, need, format_shape(shape)));
    }
  } else if (need / kMaxDeflateRatio > size) {
    throw FormatError(fmt::format(
        "{}: truncated: the dimensions {} need {} bytes of data, more than a gzip stream of {} "
        "bytes can hold",
        name, format_shape(shape), need, size));
  }

  IdxArray array;
  array.type = type;
  array.shape = shape;
  std::int64_t got = 0;
  if (type == IdxType::kU8) {
    const MemoryReservation reserved(need, fmt::format("{}: IDX data", name), shape);
    array.u8.resize(static_cast<std::size_t>(need));
    got = static_cast<std::int64_t>(source->read(array.u8));
  } else {
    got = skip(*source, need);
  }
  if (got < need) throw_truncated(name, shape, need, got);
  std::array<std::uint8_t, 1> probe{};
  if (source->read(probe) != 0) {
    throw FormatError(
        fmt::format("{}: trailing bytes after the {} bytes of data the dimensions {} declare", name,
                    need, format_shape(shape)));
  }
  if (type != IdxType::kU8) {
    throw FormatError(fmt::format(
        "{}: IDX type 0x{:02x} ({}) is not supported; Strider's datasets are unsigned bytes (0x08)",
        name, magic[2], idx_type_name(type)));
  }
  return array;
}

IdxArray read_idx(const std::filesystem::path& path) {
  return parse_idx(read_file(path), path.string());
}

}  // namespace strider::io
