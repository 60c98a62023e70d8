// Tests of the IDX reader: every accepted form (plain, gzip, several gzip members, zero extents),
// one test per way a file can be wrong, and Debian's Fashion-MNIST files themselves.
#include "strider/io/idx.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "strider/core/error.hpp"
#include "strider/core/memory.hpp"

namespace strider::io {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::vector<std::byte> idx(std::uint8_t type, std::vector<std::uint32_t> dims,
                           std::vector<std::uint8_t> data) {
  std::vector<std::byte> out = {std::byte{0}, std::byte{0}, std::byte{type},
                                static_cast<std::byte>(dims.size())};
  for (const std::uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::byte>(d >> shift));
  }
  for (const std::uint8_t v : data) out.push_back(std::byte{v});
  return out;
}

std::vector<std::byte> gzip(const std::vector<std::byte>& plain) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::vector<std::byte> out(deflateBound(&stream, static_cast<uLong>(plain.size())) + 32);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(plain.data()));
  stream.avail_in = static_cast<uInt>(plain.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

std::string parse_error(const std::vector<std::byte>& bytes) {
  try {
    parse_idx(bytes, "x.idx");
  } catch (const FormatError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no FormatError";
  return {};
}

TEST(Idx, ParsesPlainUnsignedBytes) {
  const IdxArray a = parse_idx(idx(0x08, {2, 3}, {1, 2, 3, 4, 5, 255}));
  EXPECT_EQ(a.type, IdxType::kU8);
  EXPECT_EQ(a.shape, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(a.u8, (std::vector<std::uint8_t>{1, 2, 3, 4, 5, 255}));
}

TEST(Idx, ParsesGzipDetectedFromTheMagicBytes) {
  const IdxArray a = parse_idx(gzip(idx(0x08, {4}, {9, 0, 7, 1})));
  EXPECT_EQ(a.shape, (std::vector<std::int64_t>{4}));
  EXPECT_EQ(a.u8, (std::vector<std::uint8_t>{9, 0, 7, 1}));
}

TEST(Idx, ParsesConcatenatedGzipMembers) {
  const std::vector<std::byte> plain = idx(0x08, {2, 2}, {1, 2, 3, 4});
  std::vector<std::byte> bytes = gzip({plain.begin(), plain.begin() + 7});
  const std::vector<std::byte> second = gzip({plain.begin() + 7, plain.end()});
  bytes.insert(bytes.end(), second.begin(), second.end());
  EXPECT_EQ(parse_idx(bytes).u8, (std::vector<std::uint8_t>{1, 2, 3, 4}));
}

TEST(Idx, AcceptsZeroExtents) {
  const IdxArray a = parse_idx(idx(0x08, {0, 28, 28}, {}));
  EXPECT_EQ(a.shape, (std::vector<std::int64_t>{0, 28, 28}));
  EXPECT_TRUE(a.u8.empty());
}

TEST(Idx, RefusesEmptyAndShortInput) {
  EXPECT_THAT(parse_error({}), HasSubstr("x.idx: truncated: an IDX file starts with a 4-byte magic "
                                         "number, found 0 bytes"));
  EXPECT_THAT(parse_error({std::byte{0}, std::byte{0}, std::byte{8}}), HasSubstr("found 3 bytes"));
}

TEST(Idx, RefusesABadMagicNumber) {
  std::vector<std::byte> bytes = idx(0x08, {1}, {0});
  bytes[1] = std::byte{0x50};
  EXPECT_THAT(parse_error(bytes),
              HasSubstr("not an IDX file: the magic number must start with two zero bytes, "
                        "found 00 50"));
}

TEST(Idx, RefusesAnUnknownTypeCode) {
  EXPECT_THAT(parse_error(idx(0x0A, {1}, {0})), HasSubstr("unknown IDX type code 0x0a"));
}

TEST(Idx, RefusesRankZeroAndRankAboveEight) {
  EXPECT_THAT(parse_error(idx(0x08, {}, {})), HasSubstr("IDX rank 0 is not supported"));
  EXPECT_THAT(parse_error(idx(0x08, {1, 1, 1, 1, 1, 1, 1, 1, 1}, {0})),
              HasSubstr("IDX rank 9 is not supported; expected 1 to 8"));
}

TEST(Idx, RefusesTruncatedDimensions) {
  std::vector<std::byte> bytes = idx(0x08, {2, 3}, {});
  bytes.resize(9);
  EXPECT_THAT(parse_error(bytes),
              HasSubstr("truncated: the header declares 2 dimensions (8 bytes), found 5 bytes"));
}

TEST(Idx, RefusesDimensionsWhoseProductOverflows) {
  EXPECT_THAT(parse_error(idx(0x08, {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}, {})),
              HasSubstr("the dimensions (4294967295, 4294967295, 4294967295) of uint8 elements "
                        "overflow 64-bit sizes"));
  // The element size can be what overflows: 2^31 * 2^31 float64 values.
  EXPECT_THAT(parse_error(idx(0x0E, {0x80000000, 0x80000000}, {})), HasSubstr("overflow"));
}

TEST(Idx, RefusesTruncatedDataWithBothSizes) {
  EXPECT_THAT(parse_error(idx(0x08, {2, 3}, {1, 2, 3, 4})),
              HasSubstr("x.idx: truncated: the dimensions (2, 3) need 6 bytes of data, found 4"));
}

TEST(Idx, RefusesTrailingBytes) {
  EXPECT_THAT(parse_error(idx(0x08, {2}, {1, 2, 3, 4})),
              HasSubstr("2 trailing bytes after the 2 bytes of data the dimensions (2,) declare"));
}

TEST(Idx, RefusesTruncatedDataInsideGzip) {
  EXPECT_THAT(parse_error(gzip(idx(0x08, {2, 3}, {1, 2, 3}))),
              HasSubstr("truncated: the dimensions (2, 3) need 6 bytes of data, found 3"));
}

TEST(Idx, RefusesTrailingBytesInsideGzip) {
  EXPECT_THAT(parse_error(gzip(idx(0x08, {1}, {1, 2}))),
              HasSubstr("trailing bytes after the 1 bytes of data the dimensions (1,) declare"));
}

TEST(Idx, RefusesACutGzipStream) {
  std::vector<std::byte> bytes = gzip(idx(0x08, {3}, {1, 2, 3}));
  bytes.resize(bytes.size() - 4);  // the ISIZE field is missing
  EXPECT_THAT(parse_error(bytes), HasSubstr("truncated gzip stream"));
}

TEST(Idx, RefusesAGzipStreamWithABadChecksum) {
  std::vector<std::byte> bytes = gzip(idx(0x08, {3}, {1, 2, 3}));
  bytes[bytes.size() - 8] ^= std::byte{0xFF};  // the CRC-32 of the uncompressed data
  EXPECT_THAT(parse_error(bytes), HasSubstr("x.idx: corrupt gzip data: incorrect data check"));
}

TEST(Idx, RefusesGarbageAfterTheGzipStream) {
  std::vector<std::byte> bytes = gzip(idx(0x08, {3}, {1, 2, 3}));
  bytes.push_back(std::byte{0});
  bytes.push_back(std::byte{0});
  EXPECT_THAT(parse_error(bytes), HasSubstr("2 bytes of trailing garbage after the gzip stream"));
}

TEST(Idx, RefusesAHeaderClaimingMoreThanTheGzipStreamCanHold) {
  // 10^12 bytes declared in a stream of a few dozen bytes: refused before allocating anything.
  EXPECT_THAT(parse_error(gzip(idx(0x08, {1000000, 1000000}, {1}))),
              HasSubstr("need 1000000000000 bytes of data, more than a gzip stream of"));
}

TEST(Idx, DoesNotInflateABombBeyondItsHeader) {
  // 8 MiB of zeros compress to a few KiB; the header declares 16 bytes, so the reader stops after
  // 17 and reports trailing bytes instead of inflating the rest.
  std::vector<std::uint8_t> zeros(8 << 20);
  EXPECT_THAT(parse_error(gzip(idx(0x08, {16}, zeros))), HasSubstr("trailing bytes"));
}

TEST(Idx, RefusesDataBeyondTheMemoryLimit) {
  const std::int64_t saved = memory_limit();
  set_memory_limit(1000);
  EXPECT_THROW(parse_idx(gzip(idx(0x08, {2000}, std::vector<std::uint8_t>(2000)))), ResourceError);
  set_memory_limit(saved);
}

TEST(Idx, RefusesOtherTypesByNameAfterCheckingTheirLength) {
  EXPECT_THAT(parse_error(idx(0x0D, {2}, {0, 0, 0, 0, 0, 0, 0, 0})),
              HasSubstr("IDX type 0x0d (float32) is not supported"));
  EXPECT_THAT(parse_error(gzip(idx(0x0B, {3}, {0, 1, 0, 2, 0, 3}))),
              HasSubstr("IDX type 0x0b (int16) is not supported"));
  EXPECT_THAT(parse_error(idx(0x0C, {2}, {0, 0, 0, 0})),
              HasSubstr("the dimensions (2,) need 8 bytes of data, found 4"));
}

TEST(Idx, ReadIdxNamesAMissingFile) {
  try {
    read_idx("/nonexistent/train-images-idx3-ubyte.gz");
    FAIL() << "no IoError";
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot read '/nonexistent/train-images-idx3-ubyte.gz'"));
  }
}

TEST(Idx, ReadsDebiansFashionMnistLabels) {
  const fs::path dir = "/usr/share/datasets/fashion-mnist";
  if (!fs::exists(dir / "t10k-labels-idx1-ubyte.gz")) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed (scripts/install-deps.sh installs it)";
  }
  const IdxArray labels = read_idx(dir / "t10k-labels-idx1-ubyte.gz");
  EXPECT_EQ(labels.shape, (std::vector<std::int64_t>{10000}));
  ASSERT_EQ(labels.u8.size(), 10000u);
  // The first test labels as the files hold them: ankle boot, pullover, trouser, trouser, shirt.
  EXPECT_EQ(std::vector<std::uint8_t>(labels.u8.begin(), labels.u8.begin() + 5),
            (std::vector<std::uint8_t>{9, 2, 1, 1, 6}));
  std::vector<int> counts(256);
  for (const std::uint8_t label : labels.u8) ++counts[label];
  for (int c = 0; c < 10; ++c) EXPECT_EQ(counts[static_cast<std::size_t>(c)], 1000) << c;
}

}  // namespace
}  // namespace strider::io
