// Fuzz target: the IDX reader on arbitrary bytes, plain or gzip. It must either throw
// strider::Error or return an array whose shape accounts for exactly the bytes it holds, no more
// than the input can carry; and the same bytes gzip-compressed must give the same answer, so that
// the two byte sources of the reader are checked against each other.
#include <zlib.h>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "fuzz_input.hpp"
#include "strider/core/error.hpp"
#include "strider/io/idx.hpp"

namespace {

std::optional<strider::io::IdxArray> parse(std::span<const std::byte> bytes) {
  try {
    return strider::io::parse_idx(bytes, "fuzz.idx");
  } catch (const strider::Error&) {
    return std::nullopt;
  }
}

std::vector<std::byte> gzip(std::span<const std::byte> plain) {
  z_stream stream{};
  if (deflateInit2(&stream, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    strider::fuzz::invariant_failed("deflateInit2 failed", "idx");
  }
  std::vector<std::byte> out(deflateBound(&stream, static_cast<uLong>(plain.size())) + 64);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(plain.data()));
  stream.avail_in = static_cast<uInt>(plain.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  if (deflate(&stream, Z_FINISH) != Z_STREAM_END) {
    strider::fuzz::invariant_failed("deflate failed", "idx");
  }
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

void check(const strider::io::IdxArray& array, std::size_t input_size, bool compressed) {
  std::int64_t elements = 1;
  for (const std::int64_t extent : array.shape) {
    if (extent < 0) strider::fuzz::invariant_failed("a negative extent", "idx");
    elements *= extent;  // cannot overflow: the reader checked it, and u8 holds them all
  }
  if (array.shape.empty() || array.shape.size() > 8) {
    strider::fuzz::invariant_failed("a rank outside 1..8", "idx");
  }
  if (static_cast<std::size_t>(elements) != array.u8.size()) {
    strider::fuzz::invariant_failed("data size disagrees with the shape", "idx");
  }
  const std::size_t limit = compressed ? input_size * 1032 : input_size;
  if (array.u8.size() > limit) {
    strider::fuzz::invariant_failed("more data than the input can hold", "idx");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using strider::fuzz::invariant_failed;
  // An exact-size copy, so that ASan sees any read past the end of the file's bytes.
  const std::vector<std::byte> bytes(reinterpret_cast<const std::byte*>(data),
                                     reinterpret_cast<const std::byte*>(data) + size);
  const bool compressed = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
  const std::optional<strider::io::IdxArray> direct = parse(bytes);
  if (direct) check(*direct, size, compressed);
  if (compressed) return 0;
  const std::vector<std::byte> packed = gzip(bytes);
  const std::optional<strider::io::IdxArray> inflated = parse(packed);
  if (direct.has_value() != inflated.has_value()) {
    invariant_failed(direct ? "the gzip form is refused, the plain form is not"
                            : "the gzip form is accepted, the plain form is not",
                     "idx");
  }
  if (direct && (direct->shape != inflated->shape || direct->u8 != inflated->u8)) {
    invariant_failed("the gzip form reads differently", "idx");
  }
  return 0;
}
