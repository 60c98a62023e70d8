// End-to-end tests of the strider CLI: each runs the real binary, as a user would, and checks the
// exit status, the output and (for bad input) the one-line error and that no output file appears.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_fixture.hpp"
#include "strider/io/atomic_file.hpp"
#include "strider/ops/conv2d.hpp"

namespace strider::cli_test {
namespace {

// A .npy file with a hand-written header dict and `data_bytes` bytes of data.
std::string npy(const std::string& dict, std::size_t data_bytes, char major = 1) {
  std::string header = dict + "\n";
  std::string out = "\x93NUMPY";
  out += major;
  out += '\0';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  if (major != 1) out += std::string(2, '\0');
  return out + header + std::string(data_bytes, '\0');
}

TEST_F(Cli, DemoShowsTheTutorialNumbers) {
  const Result r = run("demo");
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* s : {"(1, 8, 8, 32)", "(1, 4, 4, 32)", "896", "55,296", "13,824",
                        "16 positions instead of 64", "19 of 100"}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  }
  EXPECT_EQ(run("demo --seed 7").status, 0);
  EXPECT_NE(run("demo --padding same").out.find("(1, 5, 5, 32)"), std::string::npos);
}

TEST_F(Cli, HelpOnEveryCommand) {
  for (const char* cmd : {"", "demo ", "conv ", "shape "}) {
    const Result r = run(std::string(cmd) + "--help");
    EXPECT_EQ(r.status, 0) << cmd;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << cmd << r.out;
  }
  EXPECT_NE(run("conv --help").out.find("--strides"), std::string::npos);
}

TEST_F(Cli, ShapeTextAndJson) {
  const Result r =
      run("shape --input 1,10,10,3 --filters 32 --kernel 3 --strides 2 --padding same");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("(1, 5, 5, 32)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("before 0, after 1"), std::string::npos) << r.out;
  const Result j =
      run("shape --json --input 2,13,14,8 --filters 12 --kernel 3,5 --strides 1,2,3,1 --padding "
          "1,2,0,3 "
          "--dilation 2,1 --groups 4");
  ASSERT_EQ(j.status, 0) << j.err;
  const auto doc = nlohmann::json::parse(j.out);
  // height: (13 + 3 - 5) / 2 + 1 = 6; width: (14 + 3 - 5) / 3 + 1 = 5
  EXPECT_EQ(doc["output_shape"], nlohmann::json({2, 6, 5, 12}));
  EXPECT_EQ(doc["pads"]["height"], nlohmann::json({1, 2}));
  EXPECT_EQ(doc["params"], 3 * 5 * 2 * 12 + 12);
  EXPECT_EQ(doc["macs"], 2 * 6 * 5 * 12 * 3 * 5 * 2);
}

TEST_F(Cli, ConvMatchesTheLibraryInEveryStrideForm) {
  save_problem({2, 9, 8, 4}, {3, 2, 2, 6});
  const Tensor b = random({6}, 3);
  save("b.npy", b);
  Conv2DOptions o;
  o.params.strides = {2, 2};
  o.params.groups = 2;
  o.params.padding = Padding2D::same();
  o.activation = Activation::kRelu;
  const Tensor want = conv2d(io::read_npy(path("x.npy")), io::read_npy(path("w.npy")), &b, o);
  expect_every_stride_form(io_args() + " --bias " + quoted("b.npy"),
                           "--padding SAME --groups 2 --activation relu", want);
}

TEST_F(Cli, Float64InputIsAccepted) {
  // 1.0 and 2.0 as little-endian float64 in a 1x1x1x2 input and a 1x1x2x1 filter of ones.
  std::string x = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1, 2), }", 0);
  const double xv[] = {1.0, 2.0};
  x.append(reinterpret_cast<const char*>(xv), sizeof xv);
  save_bytes("x.npy", x);
  const float ones[] = {1.0f, 1.0f};
  save("w.npy", Tensor(Shape{1, 1, 2, 1}, ones));
  ASSERT_EQ(run(io_args()).status, 0);
  EXPECT_EQ(io::read_npy(path("y.npy")).data()[0], 3.0f);
}

TEST_F(Cli, EmptyBatchAndZeroExtentLikeTensorFlow) {
  save_problem({0, 5, 5, 2}, {3, 3, 2, 4});
  ASSERT_EQ(run(io_args()).status, 0);
  EXPECT_EQ(io::read_npy(path("y.npy")).shape(), (Shape{0, 3, 3, 4}));
  save_problem({1, 0, 3, 2}, {1, 1, 2, 4});
  ASSERT_EQ(run(io_args() + " --padding 2,0,0,0").status, 0);
  EXPECT_EQ(io::read_npy(path("y.npy")).shape(), (Shape{1, 2, 3, 4}));
}

TEST_F(Cli, BadStridesDilationPadding) {
  save_problem({1, 8, 8, 2}, {3, 3, 2, 4});
  const std::string a = io_args();
  expect_error(a + " --strides 0", {"--strides", ">= 1", "'0'"}, "y.npy");
  expect_error(a + " --strides -2", {"--strides", ">= 1", "'-2'"}, "y.npy");
  expect_error(a + " --strides 2,2,2,1", {"--strides", "batch", "(2, 2, 2, 1)"}, "y.npy");
  expect_error(a + " --strides 1,2,2,2", {"--strides", "channel", "(1, 2, 2, 2)"}, "y.npy");
  expect_error(a + " --strides 1,2,3", {"--strides", "1, 2 or 4", "got 3"}, "y.npy");
  expect_error(a + " --strides two", {"--strides", "integers", "'two'"}, "y.npy");
  expect_error(a + " --dilation 0", {"--dilation", ">= 1"}, "y.npy");
  expect_error(a + " --padding 1,-1,0,0", {"--padding", ">= 0", "1,-1,0,0"}, "y.npy");
  expect_error(a + " --padding full", {"--padding", "'full'"}, "y.npy");
  expect_error(a + " --padding 1,1", {"--padding", "four integers"}, "y.npy");
  expect_error(a + " --activation tanh", {"--activation", "'tanh'"}, "y.npy");
  expect_error(a + " --groups 0", {"--groups", ">= 1"}, "y.npy");
  expect_error(a + " --groups x", {"--groups"}, "y.npy");
  expect_error(a + " --impl nope", {"kernel", "'nope'", "reference"}, "y.npy");
  expect_error(a + " --bogus 1", {"--bogus"}, "y.npy");
}

TEST_F(Cli, ShapeMismatches) {
  save_problem({1, 8, 8, 3}, {3, 3, 2, 4});
  expect_error(io_args(), {"input channels (3)", "filter in-channels (2)", "groups (1)"}, "y.npy");
  save_problem({1, 8, 8, 4}, {3, 3, 2, 4});
  expect_error(io_args() + " --groups 3", {"groups (3)", "input channels (4)"}, "y.npy");
  save_problem({1, 8, 8, 4}, {3, 3, 2, 3});
  expect_error(io_args() + " --groups 2", {"groups (2)", "filter count (3)"}, "y.npy");
  save_problem({1, 2, 8, 2}, {3, 3, 2, 4});
  expect_error(io_args(), {"'valid'", "height", "input height 2"}, "y.npy");
  save_problem({1, 2, 8, 2}, {3, 3, 2, 4});
  EXPECT_EQ(run(io_args("ok.npy") + " --dilation 2 --padding same").status, 0);  // SAME fits
  save_problem({1, 8, 8, 2}, {3, 3, 2, 4});
  save("b.npy", Tensor(Shape{5}));
  expect_error(io_args() + " --bias '" + path("b.npy").string() + "'", {"bias", "(4,)", "(5,)"},
               "y.npy");
  save("x.npy", Tensor(Shape{8, 8, 2}));
  expect_error(io_args(), {"rank 4", "(8, 8, 2)"}, "y.npy");
}

TEST_F(Cli, ShapeCommandRejectsBadSizes) {
  expect_error("shape --input 1,-10,10,3 --filters 32 --kernel 3", {"height", ">= 0", "-10"});
  expect_error("shape --input 1,10,10 --filters 32 --kernel 3", {"--input", "N,H,W,C"});
  expect_error("shape --input 1,10,10,3 --filters 0 --kernel 3", {"--filters", ">= 1"});
  expect_error("shape --input 1,10,10,3 --filters 4 --kernel 0", {"--kernel", ">= 1"});
  expect_error("shape --input 1099511627776,1099511627776,1099511627776,1 --filters 1 --kernel 1",
               {"overflows 64-bit"});
  expect_error("shape --input 1,10,10,3 --filters 4 --kernel 3 --padding -1,0,0,0",
               {"--padding", ">= 0"});
  expect_error("shape --input 1,10,10,3 --filters 4 --kernel 3 --groups 2",
               {"--groups", "input channels (3)"});
  expect_error("shape --input 1,99999999999999999999,10,3 --filters 4 --kernel 3",
               {"--input", "64 bits"});
}

TEST_F(Cli, MalformedNpyFiles) {
  const std::string good_w = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1), }";
  save_bytes("w.npy", npy(good_w, 4));
  const std::string x4 = "'shape': (1, 2, 2, 1), }";
  struct Bad {
    std::string bytes;
    std::string fragment;
  };
  const Bad cases[] = {
      {"not a numpy file at all", "magic"},
      {npy("{'descr': '<f4', 'fortran_order': False, " + x4, 12), "truncated"},
      {npy("{'descr': '>f4', 'fortran_order': False, " + x4, 16), "big-endian"},
      {npy("{'descr': '<f4', 'fortran_order': True, " + x4, 16), "Fortran"},
      {npy("{'descr': '|O', 'fortran_order': False, " + x4, 32), "object arrays"},
      {npy("{'descr': '<i4', 'fortran_order': False, " + x4, 16), "'<i4'"},
      {npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2", 16), "malformed header"},
      {npy("{'descr': '<f4', 'fortran_order': False, " + x4, 16, 9), "version"},
      {std::string("\x93NUMPY\x01\x00\xff\x7f{", 11), "truncated"},
  };
  for (const Bad& b : cases) {
    save_bytes("x.npy", b.bytes);
    expect_error(io_args(), {"x.npy", b.fragment}, "y.npy");
  }
}

TEST_F(Cli, FilesThatCannotBeReadOrWritten) {
  save_problem({1, 4, 4, 1}, {1, 1, 1, 1});
  expect_error("conv --input '" + path("missing.npy").string() + "' --filter '" +
                   path("w.npy").string() + "' --output '" + path("y.npy").string() + "'",
               {"missing.npy", "No such file"}, "y.npy");
  expect_error(io_args("no/such/dir/y.npy"), {"no/such/dir", "does not exist"});
  EXPECT_FALSE(fs::exists(path("no")));
  expect_error(io_args() + " --bias '" + dir_.string() + "'", {"Is a directory"}, "y.npy");
}

TEST_F(Cli, AFailedRunLeavesTheOldOutputAlone) {
  save_problem({1, 4, 4, 1}, {1, 1, 1, 1});
  ASSERT_EQ(run(io_args()).status, 0);
  const std::vector<std::byte> before = io::read_file(path("y.npy"));
  const Result r = run(io_args() + " --strides 0");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(io::read_file(path("y.npy")), before);
}

TEST_F(Cli, RequiredArguments) {
  expect_error("conv --input x.npy --output y.npy", {"--filter", "required"});
  expect_error("shape --filters 3 --kernel 3", {"--input", "required"});
  expect_error("", {"subcommand"});
  expect_error("frobnicate", {"unknown command 'frobnicate'", "demo"});
}

}  // namespace
}  // namespace strider::cli_test
