// Tests for the .npy reader and writer: round trips, hand-built files of each format version, and
// one test per way a file can be wrong, each checking the message a user would see.
#include "strider/io/npy.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "strider/core/error.hpp"
#include "strider/io/atomic_file.hpp"

namespace strider::io {
namespace {

namespace fs = std::filesystem;

std::vector<std::byte> to_bytes(std::string_view text) {
  std::vector<std::byte> out;
  for (const char c : text) out.push_back(static_cast<std::byte>(c));
  return out;
}

template <typename T>
std::vector<std::byte> data_bytes(const std::vector<T>& values) {
  std::vector<std::byte> out(values.size() * sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), values.data(), out.size());
  return out;
}

// A .npy file built by hand: magic, version, little-endian header length (2 bytes for 1.x,
// 4 otherwise), the header text as given (no padding added), then the data.
std::vector<std::byte> npy_file(unsigned major, std::string_view header,
                                const std::vector<std::byte>& data = {}, unsigned minor = 0) {
  std::vector<std::byte> out = to_bytes("\x93NUMPY");
  out.push_back(static_cast<std::byte>(major));
  out.push_back(static_cast<std::byte>(minor));
  const std::size_t length_size = major == 1 ? 2 : 4;
  for (std::size_t i = 0; i < length_size; ++i) {
    out.push_back(static_cast<std::byte>(header.size() >> (8 * i)));
  }
  const std::vector<std::byte> text = to_bytes(header);
  out.insert(out.end(), text.begin(), text.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

std::string dict(std::string_view descr, std::string_view shape, bool fortran = false) {
  return "{'descr': '" + std::string(descr) +
         "', 'fortran_order': " + (fortran ? "True" : "False") +
         ", 'shape': " + std::string(shape) + ", }\n";
}

std::string format_error(const std::vector<std::byte>& bytes) {
  try {
    parse_npy(bytes, "x.npy");
  } catch (const FormatError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a FormatError";
  return "";
}

// The message starts with the file name and contains `fragment`.
void expect_format_error(const std::vector<std::byte>& bytes, std::string_view fragment) {
  const std::string message = format_error(bytes);
  EXPECT_EQ(message.rfind("x.npy: ", 0), 0u) << message;
  EXPECT_NE(message.find(fragment), std::string::npos) << message;
}

Tensor iota_tensor(Shape shape) {
  Tensor t(std::move(shape));
  for (std::int64_t i = 0; i < t.size(); ++i) t.data()[i] = static_cast<float>(i) * 0.5f - 3.25f;
  return t;
}

void expect_same(const Tensor& a, const Tensor& b) {
  ASSERT_EQ(a.shape(), b.shape());
  for (std::int64_t i = 0; i < a.size(); ++i) EXPECT_EQ(a.data()[i], b.data()[i]) << "at " << i;
}

TEST(NpyTest, RoundTripsShapes) {
  for (const Shape& shape : std::vector<Shape>{
           {}, {5}, {0, 3}, {2, 3}, {1, 10, 10, 3}, {2, 1, 3, 1, 2, 1, 2, 2}, {1000}}) {
    SCOPED_TRACE(format_shape(shape));
    const Tensor t = iota_tensor(shape);
    const std::vector<std::byte> bytes = encode_npy(t);
    expect_same(parse_npy(bytes, "t.npy"), t);
  }
}

TEST(NpyTest, WritesNumPyLayout) {
  const std::vector<std::byte> bytes = encode_npy(iota_tensor({2, 3}));
  const std::string text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  ASSERT_EQ(text.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  const std::size_t header_length =
      std::to_integer<std::size_t>(bytes[8]) | std::to_integer<std::size_t>(bytes[9]) << 8;
  EXPECT_EQ((10 + header_length) % 64, 0u);
  EXPECT_EQ(bytes.size(), 10 + header_length + 6 * sizeof(float));
  const std::string header = text.substr(10, header_length);
  const std::string expected = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  EXPECT_EQ(header.substr(0, expected.size()), expected);
  EXPECT_EQ(header.find_first_not_of(' ', expected.size()), header_length - 1);
  EXPECT_EQ(header.back(), '\n');
}

TEST(NpyTest, WritesScalarAndOneDimensionalShapes) {
  const auto header_of = [](const Tensor& t) {
    const std::vector<std::byte> bytes = encode_npy(t);
    const std::size_t header_length =
        std::to_integer<std::size_t>(bytes[8]) | std::to_integer<std::size_t>(bytes[9]) << 8;
    return std::string(reinterpret_cast<const char*>(bytes.data()) + 10, header_length);
  };
  EXPECT_NE(header_of(Tensor(Shape{})).find("'shape': (), }"), std::string::npos);
  EXPECT_NE(header_of(Tensor(Shape{5})).find("'shape': (5,), }"), std::string::npos);
}

TEST(NpyTest, ReadsVersions1To3) {
  const std::vector<float> values = {1.0f, -2.5f, 3.75f, 0.0f, 1e-20f, -7.0f};
  for (unsigned major : {1u, 2u, 3u}) {
    SCOPED_TRACE(major);
    const Tensor t = parse_npy(npy_file(major, dict("<f4", "(3, 2)"), data_bytes(values)), "v");
    ASSERT_EQ(t.shape(), (Shape{3, 2}));
    for (std::size_t i = 0; i < values.size(); ++i) EXPECT_EQ(t.data()[i], values[i]);
  }
}

TEST(NpyTest, AcceptsHeaderVariants) {
  const std::vector<std::byte> data = data_bytes(std::vector<float>{1, 2});
  for (const std::string& header : {
           std::string("{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"<f4\"}"),
           std::string("{'descr':'<f4','fortran_order':False,'shape':(2,)}   \n"),
           std::string(
               "\n{ 'descr' : '<f4' ,\n\t'fortran_order' : False ,\n 'shape' : ( 2 , ) ,\n}"),
           std::string("{'descr': '<f4', 'fortran_order': False, 'shape': (2L,), }"),
           std::string("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2,), }"),
       }) {
    SCOPED_TRACE(header);
    const Tensor t = parse_npy(npy_file(1, header, data), "h");
    EXPECT_EQ(t.size(), 2);
    EXPECT_EQ(t.data()[1], 2.0f);
  }
}

TEST(NpyTest, ReadsScalarAndEmpty) {
  const Tensor scalar = parse_npy(npy_file(1, dict("<f4", "()"), data_bytes<float>({4.5f})), "s");
  EXPECT_EQ(scalar.rank(), 0u);
  EXPECT_EQ(scalar.data()[0], 4.5f);
  const Tensor empty = parse_npy(npy_file(1, dict("<f8", "(0, 3)")), "e");
  EXPECT_EQ(empty.shape(), (Shape{0, 3}));
  EXPECT_EQ(empty.size(), 0);
}

TEST(NpyTest, ConvertsFloat64ToFloat32) {
  constexpr double kFloatMax = std::numeric_limits<float>::max();
  const std::vector<double> values = {1.5,    -2.25,
                                      0.1,    1e300,
                                      -1e300, kFloatMax * (1 + 1e-9),
                                      1e-50,  std::numeric_limits<double>::infinity()};
  const Tensor t = parse_npy(npy_file(1, dict("<f8", "(8,)"), data_bytes(values)), "d");
  ASSERT_EQ(t.shape(), (Shape{8}));
  constexpr float kInf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(t.data()[0], 1.5f);
  EXPECT_EQ(t.data()[1], -2.25f);
  EXPECT_EQ(t.data()[2], 0.1f);
  EXPECT_EQ(t.data()[3], kInf);
  EXPECT_EQ(t.data()[4], -kInf);
  EXPECT_EQ(t.data()[5], std::numeric_limits<float>::max());  // rounds down, as NumPy does
  EXPECT_EQ(t.data()[6], 0.0f);
  EXPECT_EQ(t.data()[7], kInf);

  const Tensor nan =
      parse_npy(npy_file(1, dict("<f8", "(1,)"), data_bytes<double>({std::nan("")})), "n");
  EXPECT_TRUE(std::isnan(nan.data()[0]));
}

TEST(NpyTest, RejectsBadMagic) {
  std::vector<std::byte> bytes = npy_file(1, dict("<f4", "()"), data_bytes<float>({1}));
  bytes[5] = std::byte{'Z'};
  EXPECT_EQ(format_error(bytes),
            "x.npy: not a .npy file: it does not start with the magic string \\x93NUMPY");
  expect_format_error({}, "not a .npy file");
  expect_format_error(to_bytes("\x93NUM"), "not a .npy file");
}

TEST(NpyTest, RejectsUnsupportedVersion) {
  EXPECT_EQ(format_error(npy_file(4, dict("<f4", "()"), data_bytes<float>({1}))),
            "x.npy: unsupported .npy format version 4.0; Strider reads versions 1.0, 2.0 and 3.0");
  expect_format_error(npy_file(1, dict("<f4", "()"), data_bytes<float>({1}), 1), "version 1.1");
  expect_format_error(npy_file(0, dict("<f4", "()"), data_bytes<float>({1})), "version 0.0");
}

TEST(NpyTest, RejectsTruncatedHeader) {
  expect_format_error(to_bytes("\x93NUMPY"), "truncated");
  expect_format_error(to_bytes("\x93NUMPY\x01"), "truncated");
  expect_format_error(to_bytes(std::string("\x93NUMPY\x01\x00\x05", 9)), "truncated");
  expect_format_error(to_bytes(std::string("\x93NUMPY\x02\x00\x05\x00\x00", 11)), "truncated");
}

TEST(NpyTest, RejectsHeaderLengthPastEnd) {
  for (unsigned major : {1u, 2u}) {
    std::vector<std::byte> bytes = npy_file(major, dict("<f4", "()"), data_bytes<float>({1}));
    bytes[8] = std::byte{0xff};
    bytes[9] = std::byte{0xff};
    expect_format_error(bytes, "header length");
    expect_format_error(bytes, "runs past the end of the file");
  }
  std::vector<std::byte> bytes = npy_file(2, dict("<f4", "()"), data_bytes<float>({1}));
  bytes[11] = std::byte{0xff};  // 4 GiB and more
  expect_format_error(bytes, "runs past the end of the file");
}

TEST(NpyTest, RejectsTruncatedData) {
  EXPECT_EQ(format_error(npy_file(1, dict("<f4", "(2, 3)"), data_bytes<float>({1, 2, 3, 4, 5}))),
            "x.npy: truncated: expected 24 bytes of data, found 20 (shape (2, 3), dtype '<f4')");
  expect_format_error(npy_file(1, dict("<f8", "(2,)"), data_bytes<float>({1, 2})),
                      "truncated: expected 16 bytes of data, found 8");
}

TEST(NpyTest, RejectsHugeShapeOnTinyFileWithoutAllocating) {
  // 8e18 bytes: allocating first would throw bad_alloc or take the machine down.
  expect_format_error(npy_file(1, dict("<f4", "(1000000000, 1000000000, 2)")),
                      "truncated: expected 8000000000000000000 bytes of data, found 0");
}

TEST(NpyTest, RejectsTrailingBytes) {
  std::vector<std::byte> bytes = npy_file(1, dict("<f4", "(2,)"), data_bytes<float>({1, 2, 3}));
  expect_format_error(bytes, "trailing bytes after the data: expected 8 bytes of data, found 12");
}

TEST(NpyTest, RejectsBigEndian) {
  EXPECT_EQ(format_error(npy_file(1, dict(">f4", "(1,)"), data_bytes<float>({1}))),
            "x.npy: big-endian data ('>f4') is not supported; save it little-endian (e.g. "
            "arr.astype('<f4'))");
  expect_format_error(npy_file(1, dict(">f8", "(1,)"), data_bytes<double>({1})),
                      "big-endian data ('>f8')");
}

TEST(NpyTest, RejectsObjectArrays) {
  EXPECT_EQ(format_error(npy_file(1, dict("|O", "(1,)"), data_bytes<double>({1}))),
            "x.npy: object arrays ('|O') are not supported: loading them would need pickle");
  // Every spelling NumPy may write, before the data is looked at: a pickle is never run.
  for (const char* descr : {"O", "<O", ">O", "=O", "|O8"}) {
    expect_format_error(npy_file(1, dict(descr, "(2, 2)"),
                                 to_bytes("\x80\x04\x95"
                                          "cos\nsystem\n")),
                        "object arrays");
  }
}

TEST(NpyTest, RejectsOtherDtypes) {
  EXPECT_EQ(format_error(npy_file(1, dict("<i4", "(1,)"), data_bytes<float>({1}))),
            "x.npy: dtype '<i4' is not supported; only float32 ('<f4') and float64 ('<f8') are "
            "accepted");
  for (const char* descr : {"<f2", "<c8", "|u1", "=f4", "<f4 ", "", ">i4"}) {
    expect_format_error(npy_file(1, dict(descr, "(1,)"), data_bytes<float>({1})),
                        "is not supported; only float32");
  }
  expect_format_error(
      npy_file(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }"),
      "structured arrays");
}

TEST(NpyTest, RejectsFortranOrder) {
  EXPECT_EQ(format_error(npy_file(1, dict("<f4", "(2, 2)", true), data_bytes<float>({1, 2, 3, 4}))),
            "x.npy: Fortran-order arrays are not supported; save with np.ascontiguousarray");
}

TEST(NpyTest, RejectsMalformedHeaders) {
  const std::vector<std::byte> data = data_bytes<float>({1, 2});
  const struct {
    std::string header;
    std::string fragment;
  } cases[] = {
      {"{'descr': '<f4', 'fortran_order': False, }", "missing key 'shape'"},
      {"{'descr': '<f4', 'shape': (2,), }", "missing key 'fortran_order'"},
      {"{'fortran_order': False, 'shape': (2,), }", "missing key 'descr'"},
      {"{}", "missing key 'descr'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, }", "expected an integer"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,", "expected an integer"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2 1), }", "expected ',' or ')'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': 2, }", "expected '(' to open"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2), }", "trailing comma"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (,), }", "expected an integer"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2x,), }", "in an integer"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2.0,), }", "found '.'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,) }}", "after the closing '}'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,) ", "expected ',' or '}'"},
      {"{'descr': '<f4', 'fortran_order': Ture, 'shape': (2,), }", "expected True or False"},
      {"{'descr': '<f4', 'fortran_order': Falsey, 'shape': (2,), }", "expected True or False"},
      {"{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", "expected True or False"},
      {"{'descr': '<f4, 'fortran_order': False, 'shape': (2,), }", "after a value"},
      {"{'descr': '<f4\n', 'fortran_order': False, 'shape': (2,), }", "unterminated string"},
      {"{'descr': '<f4", "unterminated string"},
      {"{'descr': '<\\x66\\x34', 'fortran_order': False, 'shape': (2,), }", "escape sequences"},
      {"{'descr': \"<f4', 'fortran_order': False, 'shape': (2,), }", "unterminated string"},
      {"{'descr' '<f4', 'fortran_order': False, 'shape': (2,), }", "expected ':' after the key"},
      {"{descr: '<f4', 'fortran_order': False, 'shape': (2,), }", "expected a quoted key"},
      {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
       "duplicate key 'descr'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1, }",
       "unexpected key 'extra'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,),, }", "expected a quoted key"},
      {"hello", "expected '{' at the start of the header"},
      {"", "expected '{' at the start of the header, found the end of the header"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n\x01", "byte 0x01"},
      {"{'de\xffscr': '<f4', 'fortran_order': False, 'shape': (2,), }", "key 'de\\xffscr'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.header);
    expect_format_error(npy_file(1, c.header, data), "malformed header: ");
    expect_format_error(npy_file(1, c.header, data), c.fragment);
  }
}

TEST(NpyTest, MalformedHeaderNamesFilePosition) {
  // The key starts at file byte 10 + 1: messages give offsets into the file, for a hex dump.
  EXPECT_EQ(format_error(npy_file(1, "{x}")),
            "x.npy: malformed header: expected a quoted key or '}', found 'x' at byte 11");
}

TEST(NpyTest, RejectsNegativeExtent) {
  EXPECT_EQ(format_error(npy_file(1, dict("<f4", "(2, -1)"))),
            "x.npy: shape (2, -1) has a negative extent in dimension 1");
}

TEST(NpyTest, RejectsOverflowingShape) {
  EXPECT_EQ(format_error(npy_file(1, dict("<f4", "(4294967296, 4294967296, 4294967296)"))),
            "x.npy: shape (4294967296, 4294967296, 4294967296) is too large: its size in bytes "
            "overflows 64-bit integers");
  // The element count fits in int64 but the byte count does not.
  expect_format_error(npy_file(1, dict("<f8", "(2305843009213693952,)")), "is too large");
  expect_format_error(npy_file(1, dict("<f4", "(99999999999999999999,)")),
                      "shape extent overflows 64-bit integers");
}

TEST(NpyTest, RejectsRankAboveMax) {
  EXPECT_EQ(
      format_error(npy_file(1, dict("<f4", "(1, 1, 1, 1, 1, 1, 1, 1, 1)"), data_bytes<float>({1}))),
      "x.npy: the shape has 9 dimensions; Strider supports at most 8");
  std::string many = "(";
  for (int i = 0; i < 10000; ++i) many += "1, ";
  many += ")";
  expect_format_error(npy_file(2, dict("<f4", many), data_bytes<float>({1})),
                      "the shape has 10000 dimensions");
}

class NpyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("strider_npy_test_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

TEST_F(NpyFileTest, WritesAndReadsFiles) {
  const Tensor t = iota_tensor({1, 4, 4, 3});
  write_npy(dir_ / "t.npy", t);
  expect_same(read_npy(dir_ / "t.npy"), t);
  EXPECT_EQ(read_file(dir_ / "t.npy"), encode_npy(t));
}

TEST_F(NpyFileTest, ErrorsNameThePath) {
  const fs::path path = dir_ / "bad.npy";
  write_file_atomic(path, npy_file(1, dict(">f4", "(1,)"), data_bytes<float>({1})));
  try {
    read_npy(path);
    ADD_FAILURE() << "expected a FormatError";
  } catch (const FormatError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path.string() + ": big-endian", 0), 0u) << e.what();
  }
}

TEST_F(NpyFileTest, MissingFileThrowsIoError) {
  const fs::path path = dir_ / "x.npy";
  try {
    read_npy(path);
    ADD_FAILURE() << "expected an IoError";
  } catch (const IoError& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot read '" + path.string() + "': No such file or directory");
  }
}

TEST_F(NpyFileTest, DirectoryAsInputThrowsIoError) { EXPECT_THROW(read_npy(dir_), IoError); }

TEST_F(NpyFileTest, WriteIntoMissingDirectoryThrowsAndCreatesNothing) {
  EXPECT_THROW(write_npy(dir_ / "out" / "y.npy", iota_tensor({2})), IoError);
  EXPECT_TRUE(fs::is_empty(dir_));
}

}  // namespace
}  // namespace strider::io
