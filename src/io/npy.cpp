// The .npy reader and writer. The reader treats every file as hostile (it is a fuzz target): each
// length is checked against the bytes actually present before it is used.
#include "strider/io/npy.hpp"

#include <fmt/format.h>

#include <bit>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>

#include "strider/core/checked.hpp"
#include "strider/core/error.hpp"
#include "strider/core/memory.hpp"
#include "strider/io/atomic_file.hpp"

namespace strider::io {
namespace {

// Both directions copy float bytes as they are, which is right for '<f4' only on such a host.
static_assert(std::endian::native == std::endian::little, "the .npy code assumes little-endian");

constexpr unsigned char kMagic[] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
constexpr std::size_t kMagicSize = sizeof(kMagic);
constexpr std::size_t kDataAlignment = 64;  // np.save aligns the data start to 64 bytes

unsigned char byte_at(std::span<const std::byte> bytes, std::size_t i) {
  return std::to_integer<unsigned char>(bytes[i]);
}

bool is_printable(unsigned char c) { return c >= 0x20 && c < 0x7f; }

// Header text quoted for an error message: non-ASCII bytes as \xNN, cut short, so that a hostile
// file cannot put control characters or megabytes into the message.
std::string printable_quoted(std::string_view text) {
  constexpr std::size_t kMaxShown = 40;
  std::string out = "'";
  for (std::size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    out += is_printable(c) ? std::string(1, text[i]) : fmt::format("\\x{:02x}", c);
  }
  if (text.size() > kMaxShown) out += "...";
  return out + "'";
}

struct Header {
  std::optional<std::string> descr;
  std::optional<bool> fortran_order;
  std::optional<Shape> shape;
  std::size_t rank = 0;  // may exceed kMaxRank, in which case `shape` holds only the first extents
};

// A strict parser for the subset of Python literal syntax that .npy headers use:
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// Keys in any order, either quote, optional trailing commas, any whitespace. Everything else
// (escapes, nested values other than the shape tuple, unknown or repeated keys) is an error.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, std::size_t file_offset, std::string_view name)
      : text_(text), file_offset_(file_offset), name_(name) {}

  Header parse() {
    Header header;
    expect('{', "at the start of the header");
    for (;;) {
      skip_space();
      if (consume('}')) break;
      parse_entry(header);
      skip_space();
      if (consume(',')) continue;
      if (consume('}')) break;
      fail(fmt::format("expected ',' or '}}' after a value, found {}", next()));
    }
    skip_space();
    if (pos_ != text_.size()) fail(fmt::format("unexpected {} after the closing '}}'", next()));
    if (!header.descr) fail_missing("descr");
    if (!header.fortran_order) fail_missing("fortran_order");
    if (!header.shape) fail_missing("shape");
    return header;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw FormatError(
        fmt::format("{}: malformed header: {} at byte {}", name_, what, file_offset_ + pos_));
  }

  [[noreturn]] void fail_missing(std::string_view key) const {
    throw FormatError(fmt::format("{}: malformed header: missing key '{}'", name_, key));
  }

  std::string next() const {
    if (pos_ >= text_.size()) return "the end of the header";
    const auto c = static_cast<unsigned char>(text_[pos_]);
    return is_printable(c) ? fmt::format("'{}'", text_[pos_]) : fmt::format("byte 0x{:02x}", c);
  }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }

  void skip_space() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r' ||
                         peek() == '\f' || peek() == '\v')) {
      ++pos_;
    }
  }

  bool consume(char c) {
    if (at_end() || peek() != c) return false;
    ++pos_;
    return true;
  }

  void expect(char c, std::string_view where) {
    skip_space();
    if (!consume(c)) fail(fmt::format("expected '{}' {}, found {}", c, where, next()));
  }

  // Python identifiers and numbers end at a character that cannot continue them: "Truex" and
  // "12ab" are single (invalid) tokens, not "True" or 12 followed by junk.
  bool at_word_end() const {
    const char c = peek();
    return !(std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  }

  void parse_entry(Header& header) {
    if (peek() != '\'' && peek() != '"') {
      fail(fmt::format("expected a quoted key or '}}', found {}", next()));
    }
    const std::string key = parse_string();
    expect(':', fmt::format("after the key {}", printable_quoted(key)));
    skip_space();
    const auto check_unique = [&](bool seen) {
      if (seen) fail(fmt::format("duplicate key {}", printable_quoted(key)));
    };
    if (key == "descr") {
      check_unique(header.descr.has_value());
      if (peek() == '[') {
        throw FormatError(fmt::format(
            "{}: structured arrays (a list as 'descr') are not supported; only float32 ('<f4') "
            "and float64 ('<f8') are accepted",
            name_));
      }
      header.descr = parse_string();
    } else if (key == "fortran_order") {
      check_unique(header.fortran_order.has_value());
      header.fortran_order = parse_bool();
    } else if (key == "shape") {
      check_unique(header.shape.has_value());
      header.shape = parse_shape(header.rank);
    } else {
      fail(fmt::format("unexpected key {} (expected 'descr', 'fortran_order' and 'shape')",
                       printable_quoted(key)));
    }
  }

  std::string parse_string() {
    const char quote = peek();
    if (quote != '\'' && quote != '"')
      fail(fmt::format("expected a quoted string, found {}", next()));
    const std::size_t start = ++pos_;
    for (;;) {
      if (at_end() || peek() == '\n') {
        pos_ = start - 1;
        fail("unterminated string");
      }
      if (peek() == '\\') fail("escape sequences in strings are not supported");
      if (peek() == quote) break;
      ++pos_;
    }
    const std::string value(text_.substr(start, pos_ - start));
    ++pos_;
    return value;
  }

  bool parse_bool() {
    for (const bool value : {true, false}) {
      const std::string_view word = value ? "True" : "False";
      if (text_.substr(pos_).starts_with(word)) {
        pos_ += word.size();
        if (at_word_end()) return value;
        pos_ -= word.size();
      }
    }
    fail(fmt::format("expected True or False for 'fortran_order', found {}", next()));
  }

  // A tuple of integers: "()", "(5,)", "(2, 3)", "(2, 3,)". "(5)" is the integer 5 in Python,
  // which NumPy rejects as a shape, so it is rejected here too. Counts every extent in `rank` but
  // keeps only the first kMaxRank, so a header listing millions of extents allocates nothing.
  Shape parse_shape(std::size_t& rank) {
    if (!consume('(')) fail(fmt::format("expected '(' to open the shape, found {}", next()));
    Shape shape;
    rank = 0;
    skip_space();
    if (consume(')')) return shape;
    for (;;) {
      const std::int64_t extent = parse_int();
      if (rank < Tensor::kMaxRank) shape.push_back(extent);
      ++rank;
      skip_space();
      if (consume(',')) {
        skip_space();
        if (consume(')')) return shape;
        continue;
      }
      if (consume(')')) {
        if (rank == 1) fail("a one-dimensional shape needs a trailing comma, as in (5,)");
        return shape;
      }
      fail(fmt::format("expected ',' or ')' in the shape, found {}", next()));
    }
  }

  std::int64_t parse_int() {
    const bool negative = consume('-');
    if (!negative) consume('+');
    if (!std::isdigit(static_cast<unsigned char>(peek()))) {
      fail(fmt::format("expected an integer in the shape, found {}", next()));
    }
    const std::size_t start = pos_;
    std::int64_t magnitude = 0;
    while (std::isdigit(static_cast<unsigned char>(peek()))) {
      if (__builtin_mul_overflow(magnitude, 10, &magnitude) ||
          __builtin_add_overflow(magnitude, peek() - '0', &magnitude)) {
        pos_ = start;
        fail("shape extent overflows 64-bit integers");
      }
      ++pos_;
    }
    consume('L');  // Python 2's NumPy wrote long integers as "3L"; NumPy still reads them
    if (!at_word_end()) fail(fmt::format("unexpected {} in an integer", next()));
    return negative ? -magnitude : magnitude;
  }

  std::string_view text_;
  std::size_t file_offset_;  // of text_[0], so that errors give positions in the file
  std::string_view name_;
  std::size_t pos_ = 0;
};

// Bytes per element of the accepted dtypes; throws for the rest with a message saying what to do.
std::size_t item_size(const std::string& descr, std::string_view name) {
  if (descr == "<f4") return 4;
  if (descr == "<f8") return 8;
  if (descr == ">f4" || descr == ">f8") {
    throw FormatError(
        fmt::format("{}: big-endian data ('{}') is not supported; save it little-endian (e.g. "
                    "arr.astype('<f4'))",
                    name, descr));
  }
  // 'O' with any byte-order mark ('|O', '<O', 'O', '|O8'): Python objects, stored as a pickle.
  const std::string_view kind = std::string_view(descr).substr(
      !descr.empty() && (descr[0] == '|' || descr[0] == '<' || descr[0] == '>' || descr[0] == '=')
          ? 1
          : 0);
  if (!kind.empty() && kind[0] == 'O') {
    throw FormatError(
        fmt::format("{}: object arrays ({}) are not supported: loading them would need pickle",
                    name, printable_quoted(descr)));
  }
  throw FormatError(fmt::format(
      "{}: dtype {} is not supported; only float32 ('<f4') and float64 ('<f8') are accepted", name,
      printable_quoted(descr)));
}

// Rounds to nearest like NumPy's astype, but without the undefined behaviour a plain cast has for
// doubles beyond float's range.
float narrow_to_float(double d) {
  constexpr double kFloatMax = std::numeric_limits<float>::max();
  constexpr double kRoundsToInfinity = 0x1.ffffffp127;  // halfway between FLT_MAX and 2^128
  const double magnitude = std::abs(d);
  if (magnitude <= kFloatMax || std::isnan(d)) return static_cast<float>(d);
  const float limit = magnitude < kRoundsToInfinity ? std::numeric_limits<float>::max()
                                                    : std::numeric_limits<float>::infinity();
  return std::signbit(d) ? -limit : limit;
}

void append(std::vector<std::byte>& out, std::string_view text) {
  for (const char c : text) out.push_back(static_cast<std::byte>(c));
}

void append_le(std::vector<std::byte>& out, std::uint32_t value, std::size_t size) {
  for (std::size_t i = 0; i < size; ++i) out.push_back(static_cast<std::byte>(value >> (8 * i)));
}

}  // namespace

Tensor parse_npy(std::span<const std::byte> bytes, std::string_view name) {
  bool magic_ok = bytes.size() >= kMagicSize;
  for (std::size_t i = 0; magic_ok && i < kMagicSize; ++i) {
    magic_ok = byte_at(bytes, i) == kMagic[i];
  }
  if (!magic_ok) {
    throw FormatError(fmt::format(
        "{}: not a .npy file: it does not start with the magic string \\x93NUMPY", name));
  }
  const auto truncated_header = [&] {
    return FormatError(fmt::format("{}: truncated: the file ends inside the header ({} bytes)",
                                   name, bytes.size()));
  };
  if (bytes.size() < kMagicSize + 2) throw truncated_header();

  const unsigned major = byte_at(bytes, kMagicSize);
  const unsigned minor = byte_at(bytes, kMagicSize + 1);
  if (minor != 0 || major < 1 || major > 3) {
    throw FormatError(fmt::format(
        "{}: unsupported .npy format version {}.{}; Strider reads versions 1.0, 2.0 and 3.0", name,
        major, minor));
  }
  // Version 1.0 stores the header length in 2 bytes; 2.0 and 3.0 (UTF-8 header) in 4.
  const std::size_t length_size = major == 1 ? 2 : 4;
  const std::size_t header_start = kMagicSize + 2 + length_size;
  if (bytes.size() < header_start) throw truncated_header();
  std::size_t header_length = 0;
  for (std::size_t i = 0; i < length_size; ++i) {
    header_length |= std::size_t{byte_at(bytes, kMagicSize + 2 + i)} << (8 * i);
  }
  if (header_length > bytes.size() - header_start) {
    throw FormatError(
        fmt::format("{}: truncated: the header length {} runs past the end of the file ({} bytes)",
                    name, header_length, bytes.size()));
  }

  const std::string_view text(reinterpret_cast<const char*>(bytes.data()) + header_start,
                              header_length);
  const Header header = HeaderParser(text, header_start, name).parse();

  const std::size_t itemsize = item_size(*header.descr, name);
  if (*header.fortran_order) {
    throw FormatError(fmt::format(
        "{}: Fortran-order arrays are not supported; save with np.ascontiguousarray", name));
  }
  if (header.rank > Tensor::kMaxRank) {
    throw FormatError(fmt::format("{}: the shape has {} dimensions; Strider supports at most {}",
                                  name, header.rank, Tensor::kMaxRank));
  }
  const Shape& shape = *header.shape;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] < 0) {
      throw FormatError(fmt::format("{}: shape {} has a negative extent in dimension {}", name,
                                    format_shape(shape), i));
    }
  }
  std::int64_t data_size = 0;
  try {
    data_size =
        checked_mul(checked_product(shape, "shape"), static_cast<std::int64_t>(itemsize), "shape");
  } catch (const ShapeError&) {
    throw FormatError(
        fmt::format("{}: shape {} is too large: its size in bytes overflows 64-bit "
                    "integers",
                    name, format_shape(shape)));
  }

  // Checked before the Tensor is allocated: the data must be in the file, so a header claiming a
  // huge shape cannot make us allocate more than the file's own size.
  const std::size_t data_start = header_start + header_length;
  const std::size_t found = bytes.size() - data_start;
  if (static_cast<std::uint64_t>(data_size) != found) {
    const bool short_data = static_cast<std::uint64_t>(data_size) > found;
    throw FormatError(
        fmt::format("{}: {}: expected {} bytes of data, found {} (shape {}, dtype {})", name,
                    short_data ? "truncated" : "trailing bytes after the data", data_size, found,
                    format_shape(shape), printable_quoted(*header.descr)));
  }

  Tensor tensor = [&] {
    try {
      return Tensor::uninitialized(shape);
    } catch (const ResourceError& e) {
      throw ResourceError(fmt::format("{}: {}", name, e.what()));
    }
  }();
  const std::byte* data = bytes.data() + data_start;
  if (itemsize == sizeof(float)) {
    std::memcpy(tensor.data(), data, found);
  } else {
    float* out = tensor.data();
    for (std::int64_t i = 0; i < tensor.size(); ++i) {
      double value;
      std::memcpy(&value, data + i * 8, sizeof(value));
      out[i] = narrow_to_float(value);
    }
  }
  return tensor;
}

Tensor read_npy(const std::filesystem::path& path) {
  const std::vector<std::byte> bytes = read_file(path);
  // The file's bytes stay in memory while the tensor is built from them.
  const MemoryReservation held(static_cast<std::int64_t>(bytes.size()), "reading a .npy file");
  return parse_npy(bytes, path.string());
}

namespace {

// The magic string, version, header length and header dict of `t`'s .npy file: everything before
// the data.
std::vector<std::byte> encode_npy_header(const Tensor& t) {
  const std::string dict = fmt::format("{{'descr': '<f4', 'fortran_order': False, 'shape': {}, }}",
                                       format_shape(t.shape()));
  const auto round_up = [](std::size_t n) {
    return (n + kDataAlignment - 1) / kDataAlignment * kDataAlignment;
  };
  // The header is the dict, spaces, then '\n', its length chosen so the data starts aligned.
  std::uint8_t major = 1;
  std::size_t length_size = 2;
  std::size_t header_length =
      round_up(kMagicSize + 2 + length_size + dict.size() + 1) - (kMagicSize + 2 + length_size);
  if (header_length > 0xffff) {
    major = 2;
    length_size = 4;
    header_length =
        round_up(kMagicSize + 2 + length_size + dict.size() + 1) - (kMagicSize + 2 + length_size);
  }
  std::vector<std::byte> out;
  out.reserve(kMagicSize + 2 + length_size + header_length);
  for (const unsigned char c : kMagic) out.push_back(static_cast<std::byte>(c));
  out.push_back(static_cast<std::byte>(major));
  out.push_back(std::byte{0});
  append_le(out, static_cast<std::uint32_t>(header_length), length_size);
  append(out, dict);
  out.resize(out.size() + header_length - dict.size() - 1, static_cast<std::byte>(' '));
  out.push_back(static_cast<std::byte>('\n'));
  return out;
}

std::span<const std::byte> data_bytes(const Tensor& t) {
  return {reinterpret_cast<const std::byte*>(t.data()),
          static_cast<std::size_t>(t.size()) * sizeof(float)};
}

}  // namespace

std::vector<std::byte> encode_npy(const Tensor& t) {
  std::vector<std::byte> out = encode_npy_header(t);
  const std::span<const std::byte> data = data_bytes(t);
  const MemoryReservation held(static_cast<std::int64_t>(out.size() + data.size()),
                               "encoding a .npy file");
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

void write_npy(const std::filesystem::path& path, const Tensor& t) {
  write_file_atomic(path, {encode_npy_header(t), data_bytes(t)});
}

}  // namespace strider::io
