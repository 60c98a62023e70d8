// End-to-end tests of the stride family beyond conv: `strider pool`, `conv-transpose`,
// `depthwise`, and `strider shape --op ...`. Each data command must write exactly what the library
// computes when called directly, and refuse bad input with one line and no output file.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "cli_fixture.hpp"
#include "strider/ops/conv2d_transpose.hpp"
#include "strider/ops/depthwise_conv2d.hpp"
#include "strider/ops/pool2d.hpp"

namespace strider::cli_test {
namespace {

using nlohmann::json;

class StrideFamily : public Cli {
 protected:
  // `strider CMD --input x.npy [--filter w.npy] --output OUTPUT`, files in the scratch directory.
  std::string files(const std::string& command, const std::string& output = "y.npy") const {
    std::string args = command + " --input " + quoted("x.npy");
    if (command != "pool") args += " --filter " + quoted("w.npy");
    return args + " --output " + quoted(output);
  }

  // Runs `strider shape ARGS --json` and parses what it printed.
  json shape_json(const std::string& args) const {
    const Result r = run("shape --json " + args);
    EXPECT_EQ(r.status, 0) << args << "\n" << r.err;
    return r.status == 0 ? json::parse(r.out) : json();
  }

  // Runs `strider shape ARGS` and checks that every fragment appears in the text.
  void expect_shape_text(const std::string& args, std::initializer_list<std::string> fragments) {
    const Result r = run("shape " + args);
    ASSERT_EQ(r.status, 0) << args << "\n" << r.err;
    for (const std::string& f : fragments) {
      EXPECT_NE(r.out.find(f), std::string::npos) << args << "\nmissing '" << f << "' in\n"
                                                  << r.out;
    }
  }
};

TEST_F(StrideFamily, HelpOnEveryCommand) {
  for (const char* cmd : {"pool", "conv-transpose", "depthwise", "shape"}) {
    const Result r = run(std::string(cmd) + " --help");
    EXPECT_EQ(r.status, 0) << cmd;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << cmd << r.out;
    EXPECT_NE(r.out.find("--strides"), std::string::npos) << cmd << r.out;
  }
  EXPECT_NE(run("pool --help").out.find("the pool size"), std::string::npos);
  EXPECT_NE(run("conv-transpose --help").out.find("--output-padding"), std::string::npos);
  EXPECT_NE(run("shape --help").out.find("separable"), std::string::npos);
  EXPECT_NE(run("--help").out.find("conv-transpose"), std::string::npos);
}

TEST_F(StrideFamily, PoolMatchesTheLibraryInEveryStrideForm) {
  save("x.npy", random({2, 7, 9, 3}, 1));
  for (const PoolOp op : {PoolOp::kMax, PoolOp::kAvg}) {
    Pool2DOptions o;
    o.params = {{3, 3}, Pair2D{2, 2}, Padding2D::same()};
    const Tensor want = pool2d(op, io::read_npy(path("x.npy")), o);
    expect_every_stride_form(files("pool") + " --op " + std::string(pool_op_name(op)),
                             "--pool 3 --padding same", want);
  }
}

TEST_F(StrideFamily, PoolStridesDefaultToThePoolSize) {
  save("x.npy", random({1, 9, 8, 2}, 2));
  Pool2DParams p;
  p.pool_size = {2, 3};  // Keras: strides omitted means (2, 3)
  const Tensor want = avg_pool2d(io::read_npy(path("x.npy")), p);
  ASSERT_EQ(want.shape(), (Shape{1, 4, 2, 2}));
  ASSERT_EQ(run(files("pool") + " --op avg --pool 2,3").status, 0);
  expect_output("y.npy", want);
}

TEST_F(StrideFamily, ConvTransposeMatchesTheLibraryWithOutputPadding) {
  save_problem({2, 4, 5, 3}, {3, 3, 4, 3});
  const Tensor b = random({4}, 3);
  save("b.npy", b);
  Conv2DTransposeOptions o;
  o.params.strides = {2, 2};
  o.params.padding = Padding2D::same();
  o.params.output_padding = Pair2D{0, 1};
  o.activation = Activation::kRelu;
  const Tensor want =
      conv2d_transpose(io::read_npy(path("x.npy")), io::read_npy(path("w.npy")), &b, o);
  ASSERT_EQ(want.shape(), (Shape{2, 7, 10, 4}));  // SAME: (in - 1) * 2 + 1 + output_padding
  expect_every_stride_form(files("conv-transpose") + " --bias " + quoted("b.npy"),
                           "--padding same --output-padding 0,1 --activation relu", want);
}

TEST_F(StrideFamily, ConvTransposeMatchesTheLibraryWithOutputShape) {
  save_problem({2, 4, 5, 3}, {3, 2, 4, 3});
  Conv2DTransposeOptions o;
  o.params.strides = {2, 3};
  o.params.output_size = Pair2D{10, 14};  // VALID reaches heights 9..10 and widths 14..16
  const Tensor want =
      conv2d_transpose(io::read_npy(path("x.npy")), io::read_npy(path("w.npy")), nullptr, o);
  ASSERT_EQ(run(files("conv-transpose") + " --strides 2,3 --output-shape 2,10,14,4").status, 0);
  expect_output("y.npy", want);
  o.params.output_size.reset();  // Keras's rule: 4 * 2 + 1 and 5 * 3
  const Tensor keras =
      conv2d_transpose(io::read_npy(path("x.npy")), io::read_npy(path("w.npy")), nullptr, o);
  ASSERT_EQ(run(files("conv-transpose") + " --strides 1,2,3,1").status, 0);
  expect_output("y.npy", keras);
}

TEST_F(StrideFamily, DepthwiseMatchesTheLibraryWithUnequalStrides) {
  save_problem({2, 9, 11, 3}, {3, 2, 3, 1});
  DepthwiseConv2DOptions o;
  o.strides = {2, 3};
  o.padding = Padding2D::same();
  const Tensor want =
      depthwise_conv2d(io::read_npy(path("x.npy")), io::read_npy(path("w.npy")), nullptr, o);
  ASSERT_EQ(want.shape(), (Shape{2, 5, 4, 3}));
  for (const char* strides : {"2,3", "1,2,3,1"}) {
    ASSERT_EQ(run(files("depthwise") + " --padding same --strides " + strides).status, 0);
    expect_output("y.npy", want);
  }
}

TEST_F(StrideFamily, DepthwiseMultiplierTwoWithBiasAndRelu) {
  save_problem({1, 8, 7, 3}, {3, 3, 3, 2});
  const Tensor b = random({6}, 4);
  save("b.npy", b);
  DepthwiseConv2DOptions o;
  o.strides = {2, 2};
  o.dilation = {1, 2};
  o.padding = Padding2D::explicit_pads(1, 0, 2, 1);
  o.activation = Activation::kRelu;
  const Tensor want =
      depthwise_conv2d(io::read_npy(path("x.npy")), io::read_npy(path("w.npy")), &b, o);
  expect_every_stride_form(files("depthwise") + " --bias " + quoted("b.npy"),
                           "--dilation 1,2 --padding 1,0,2,1 --activation relu", want);
}

TEST_F(StrideFamily, PoolRefusesBadInput) {
  save("x.npy", random({1, 2, 5, 1}, 1));
  const std::string max = files("pool") + " --op max";
  expect_error(max + " --pool 3", {"max_pool2d", "'valid'", "height", "input height 2"}, "y.npy");
  expect_error(max + " --pool 2 --padding 1,1,1,1", {"padding", "'valid' or 'same'", "'1,1,1,1'"},
               "y.npy");
  expect_error(max + " --pool 0", {"--pool", ">= 1", "'0'"}, "y.npy");
  expect_error(max + " --pool 2 --strides 0", {"--strides", ">= 1", "'0'"}, "y.npy");
  expect_error(max + " --pool 2 --strides ''", {"--strides", "empty"}, "y.npy");
  expect_error(max + " --pool 2 --dilation 2", {"--dilation"}, "y.npy");
  expect_error(files("pool") + " --op min --pool 2", {"--op", "'max' or 'avg'", "'min'"}, "y.npy");
  expect_error(files("pool") + " --pool 2", {"--op", "required"}, "y.npy");
  expect_error(files("pool", "no/such/dir/y.npy") + " --op avg --pool 1",
               {"no/such/dir", "does not exist"});
}

TEST_F(StrideFamily, ConvTransposeRefusesBadInput) {
  save_problem({2, 4, 5, 3}, {3, 3, 4, 3});
  const std::string t = files("conv-transpose") + " --strides 2";
  expect_error(t + " --output-padding 2", {"output_padding", "stride (2)", "got 2"}, "y.npy");
  expect_error(files("conv-transpose") + " --output-padding 1,3 --strides 2,3",
               {"output_padding", "stride (3)", "width", "got 3"}, "y.npy");
  expect_error(t + " --output-padding -1", {"output_padding", ">= 0", "got -1"}, "y.npy");
  expect_error(t + " --output-padding 1,1,1", {"--output-padding", "p or ph,pw"}, "y.npy");
  expect_error(t + " --output-shape 2,7,11,4",
               {"output height 7", "input height 4", "stride 2", "consistent output sizes: 9..10"},
               "y.npy");
  expect_error(t + " --padding same --output-shape 2,8,11,4",
               {"output width 11", "consistent output sizes: 9..10"}, "y.npy");
  expect_error(t + " --output-shape 3,9,11,4", {"--output-shape", "N (3)", "input batch (2)"},
               "y.npy");
  expect_error(t + " --output-shape 2,9,11,5", {"--output-shape", "C (5)", "out-channels (4)"},
               "y.npy");
  expect_error(t + " --output-shape 9,11", {"--output-shape", "N,H,W,C"}, "y.npy");
  expect_error(t + " --output-padding 1 --output-shape 2,9,11,4",
               {"output height 9", "output_padding 1", "gives 10"}, "y.npy");
  save("b.npy", Tensor(Shape{3}));
  expect_error(t + " --bias " + quoted("b.npy"), {"bias", "(4,)", "(3,)"}, "y.npy");
  expect_error(files("conv-transpose", "no/such/dir/y.npy"), {"no/such/dir", "does not exist"});
  save("w.npy", random({3, 3, 4, 2}, 1));
  expect_error(t, {"input channels (3)", "last dimension (2)", "[kh, kw, out, in]"}, "y.npy");
}

TEST_F(StrideFamily, DepthwiseRefusesBadInput) {
  save_problem({1, 6, 6, 3}, {3, 3, 4, 1});
  expect_error(files("depthwise"), {"input channels (3)", "third dimension (4)"}, "y.npy");
  save("w.npy", Tensor(Shape{3, 3, 3, 0}));
  expect_error(files("depthwise"), {"depth_multiplier", ">= 1", "got 0"}, "y.npy");
  save("w.npy", random({3, 3, 3, 2}, 1));
  save("b.npy", Tensor(Shape{3}));
  expect_error(files("depthwise") + " --bias " + quoted("b.npy"), {"bias", "(6,)", "(3,)"},
               "y.npy");
  expect_error(files("depthwise") + " --groups 3", {"--groups"}, "y.npy");
  expect_error(files("depthwise") + " --strides 1,2,3", {"--strides", "1, 2 or 4"}, "y.npy");
  expect_error(files("depthwise", "no/such/dir/y.npy"), {"no/such/dir", "does not exist"});
  EXPECT_FALSE(fs::exists(path("no")));
}

TEST_F(StrideFamily, ShapeOfATransposedConvListsReachableSizes) {
  const std::string args =
      "--op conv-transpose --input 1,3,3,8 --filters 4 --kernel 3 --strides 2 --padding same";
  expect_shape_text(
      args, {"conv2d_transpose", "(3, 3, 4, 8)  [kh, kw, out, in]", "output    (1, 6, 6, 4)",
             "before 0, after 1", "height: 5..6 (output_padding 0..1)",
             "width: 5..6 (output_padding 0..1)", "292 (288 weights + 4 biases)"});
  const json doc = shape_json(args);
  EXPECT_EQ(doc["op"], "conv2d_transpose");
  EXPECT_EQ(doc["input_shape"], json({1, 3, 3, 8}));
  EXPECT_EQ(doc["output_shape"], json({1, 6, 6, 4}));
  EXPECT_EQ(doc["pads"]["height"], json({0, 1}));
  EXPECT_EQ(doc["params"], 3 * 3 * 4 * 8 + 4);
  EXPECT_EQ(doc["macs"], 1 * 3 * 3 * 8 * 3 * 3 * 4);
  EXPECT_EQ(doc["reachable_output_sizes"]["height"], json({5, 6}));
  EXPECT_EQ(doc["reachable_output_sizes"]["width"], json({5, 6}));
  EXPECT_EQ(shape_json(args + " --output-padding 0")["output_shape"], json({1, 5, 5, 4}));
  EXPECT_EQ(shape_json(args + " --output-shape 1,5,6,4 --no-bias")["output_shape"],
            json({1, 5, 6, 4}));
  EXPECT_EQ(shape_json(args + " --no-bias")["params"], 3 * 3 * 4 * 8);
  // VALID with kernel 4 > stride 3: heights (3 - 1) * 3 + 4 .. + 2.
  const json valid = shape_json(
      "--op conv-transpose --input 2,3,1,5 --filters 2 --kernel 4,1 "
      "--strides 3,2");
  EXPECT_EQ(valid["output_shape"], json({2, 10, 2, 2}));
  EXPECT_EQ(valid["reachable_output_sizes"]["height"], json({10, 12}));
  EXPECT_EQ(valid["reachable_output_sizes"]["width"], json({1, 2}));
  expect_error("shape " + args + " --output-shape 1,7,6,4",
               {"output height 7", "consistent", "5..6"});
  expect_error("shape " + args + " --output-shape 1,6,6,5",
               {"--output-shape", "C (5)", "out-channels (4)"});
  expect_error("shape " + args + " --output-shape 2,6,6,4",
               {"--output-shape", "N (2)", "input batch (1)"});
  expect_error("shape " + args + " --output-padding 2", {"output_padding", "stride (2)"});
}

TEST_F(StrideFamily, ShapeOfAPool) {
  expect_shape_text("--op pool --input 1,10,10,8 --pool 3 --padding same",
                    {"pool2d", "pool      (3, 3)", "(3, 3) (the pool size)", "(1, 4, 4, 8)",
                     "before 1, after 1", "params    0", "1,152"});
  const json doc = shape_json("--op pool --input 2,10,9,4 --kernel 3,2 --strides 1,2,2,1");
  EXPECT_EQ(doc["op"], "pool2d");
  EXPECT_EQ(doc["output_shape"], json({2, 4, 4, 4}));
  EXPECT_EQ(doc["pads"]["width"], json({0, 0}));
  EXPECT_EQ(doc["params"], 0);
  EXPECT_EQ(doc["macs"], 2 * 4 * 4 * 4 * 3 * 2);
  expect_error("shape --op pool --input 1,2,2,1 --pool 3", {"'valid'", "input height 2"});
  expect_error("shape --op pool --input 1,4,4,1 --pool 2 --padding 1,1,1,1",
               {"padding", "'valid' or 'same'"});
  expect_error("shape --op pool --input 1,4,4,1 --pool 0", {"--pool", ">= 1"});
  expect_error("shape --op pool --input 1,4,4,1", {"--pool", "required"});
  expect_error("shape --op pool --input 1,4,4,1 --pool 2 --kernel 2", {"--pool", "--kernel"});
  expect_error("shape --op pool --input 1,4,4,1 --pool 2 --filters 3",
               {"--filters", "not an option of --op pool"});
  expect_error("shape --op pool --input 1,4,4,1 --pool 2 --dilation 2", {"--dilation", "pool"});
}

TEST_F(StrideFamily, ShapeOfADepthwiseConv) {
  const std::string args =
      "--op depthwise --input 1,10,10,8 --kernel 3 --strides 2,3 "
      "--depth-multiplier 2";
  expect_shape_text(args, {"depthwise_conv2d", "(3, 3, 8, 2)  [kh, kw, in, multiplier]",
                           "(1, 4, 3, 16)", "160 (144 weights + 16 biases)", "1,728"});
  const json doc = shape_json(args + " --no-bias");
  EXPECT_EQ(doc["output_shape"], json({1, 4, 3, 16}));
  EXPECT_EQ(doc["params"], 3 * 3 * 8 * 2);
  EXPECT_EQ(doc["macs"], 4 * 3 * 16 * 3 * 3);
  EXPECT_EQ(doc["pads"]["height"], json({0, 0}));
  EXPECT_EQ(shape_json("--op depthwise --input 1,5,5,3 --kernel 3 --padding same")["params"],
            3 * 3 * 3 + 3);
  expect_error("shape --op depthwise --input 1,5,5,3 --kernel 3 --depth-multiplier 0",
               {"--depth-multiplier", ">= 1", "got 0"});
  expect_error("shape " + args + " --filters 4", {"--filters", "--op depthwise"});
  expect_error("shape --op depthwise --input 1,5,5,3", {"--kernel", "required"});
}

TEST_F(StrideFamily, ShapeOfASeparableConv) {
  const std::string args =
      "--op separable --input 1,10,10,8 --filters 32 --kernel 3 --depth-multiplier 2";
  expect_shape_text(
      args, {"separable_conv2d", "depthwise (3, 3, 8, 2)", "pointwise (1, 1, 16, 32)",
             "output    (1, 8, 8, 32)", "688 (depthwise 144 + pointwise 512 weights + 32 biases)",
             "41,984 (depthwise 9,216 + pointwise 32,768)"});
  const json doc = shape_json(args + " --strides 2 --padding same");
  EXPECT_EQ(doc["op"], "separable_conv2d");
  EXPECT_EQ(doc["output_shape"], json({1, 5, 5, 32}));
  EXPECT_EQ(doc["pads"]["width"], json({0, 1}));
  // Keras: the depthwise part has no bias, the pointwise part does.
  EXPECT_EQ(doc["params"], 3 * 3 * 8 * 2 + 16 * 32 + 32);
  EXPECT_EQ(doc["macs"], 5 * 5 * 16 * 3 * 3 + 5 * 5 * 32 * 16);
  EXPECT_EQ(shape_json(args + " --no-bias")["params"], 3 * 3 * 8 * 2 + 16 * 32);
  expect_error("shape --op separable --input 1,10,10,8 --kernel 3",
               {"--filters", "required", "separable"});
  expect_error("shape " + args + " --groups 2", {"--groups", "not an option of --op separable"});
}

TEST_F(StrideFamily, ShapeOfAConvIsStillTheDefault) {
  const json doc = shape_json("--input 1,10,10,3 --filters 32 --kernel 3");
  EXPECT_EQ(doc["op"], "conv2d");
  EXPECT_EQ(doc["params"], 896);
  EXPECT_EQ(shape_json("--op conv --input 1,10,10,3 --filters 32 --kernel 3"), doc);
  expect_error("shape --op nope --input 1,10,10,3", {"--op", "'nope'", "conv-transpose"});
  expect_error("shape --input 1,10,10,3 --filters 4 --kernel 3 --output-padding 1",
               {"--output-padding", "not an option of --op conv"});
  expect_error("shape --input 1,10,10,3 --kernel 3", {"--filters", "required"});
}

}  // namespace
}  // namespace strider::cli_test
