// Hostile inputs modelled on TensorFlow's security advisories for its convolution and pooling ops.
// Each test names the advisory (CVE and/or GHSA id) whose input it adapts to Strider's ops, and
// runs it through the library API and, where the CLI can express it, the real `strider` binary.
// Every case ends in one clear strider::Error (a one-line message naming the argument, the rule and
// the value; on the CLI, exit 2 and no output file) or, where TensorFlow's fix defined a result
// (empty tensors, NaN and Inf), in that result. ASan + UBSan builds make "nothing reads or writes
// out of bounds" part of every case. Gradient advisories (Conv2DBackpropInput/Filter, MaxPoolGrad,
// AvgPoolGrad, Conv3DBackprop*) run against the backward ops of ops/backward.hpp, and the older
// cases also against conv2d_transpose (the input gradient of conv2d) and the forward ops whose
// geometry the gradients share.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "../cli/cli_fixture.hpp"
#include "strider/core/error.hpp"
#include "strider/geometry/conv2d_geometry.hpp"
#include "strider/geometry/conv2d_transpose_geometry.hpp"
#include "strider/geometry/pool2d_geometry.hpp"
#include "strider/io/npy.hpp"
#include "strider/ops/backward.hpp"
#include "strider/ops/conv1d.hpp"
#include "strider/ops/conv2d.hpp"
#include "strider/ops/conv2d_transpose.hpp"
#include "strider/ops/depthwise_conv2d.hpp"
#include "strider/ops/pool2d.hpp"

namespace strider::advisories {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

class Advisory : public cli_test::Cli {
 protected:
  // The library refuses with exactly error type E and a one-line message holding every fragment.
  template <typename E>
  static void expect_refused(const std::function<void()>& call,
                             std::initializer_list<std::string> fragments) {
    try {
      call();
      ADD_FAILURE() << "accepted; expected a refusal holding '" << *fragments.begin() << "'";
    } catch (const E& e) {
      const std::string message = e.what();
      EXPECT_EQ(message.find('\n'), std::string::npos) << message;
      for (const std::string& f : fragments) {
        EXPECT_NE(message.find(f), std::string::npos) << "missing '" << f << "' in: " << message;
      }
    } catch (const std::exception& e) {
      ADD_FAILURE() << "wrong exception type: " << e.what();
    }
  }

  // `strider ARGS` exits 2 with one line naming every fragment, and writes no y.npy.
  void expect_cli_refused(const std::string& args, std::initializer_list<std::string> fragments) {
    std::filesystem::remove(path("y.npy"));  // left by an earlier successful run
    expect_error(args, fragments, "y.npy");
  }

  // `strider ARGS` succeeds and writes y.npy; returns it.
  Tensor expect_cli_output(const std::string& args) {
    const cli_test::Result r = run(args);
    EXPECT_EQ(r.status, 0) << args << "\n" << r.err;
    return io::read_npy(path("y.npy"));
  }

  // "--input 'x.npy' --filter 'w.npy' --output 'y.npy'" with the tensors saved first.
  std::string files(const Tensor& x, const Tensor* w = nullptr) {
    save("x.npy", x);
    std::string args = "--input " + quoted("x.npy") + " --output " + quoted("y.npy");
    if (w != nullptr) {
      save("w.npy", *w);
      args += " --filter " + quoted("w.npy");
    }
    return args;
  }

  static Tensor filled(Shape shape, float value) {
    Tensor t(std::move(shape));
    for (float& v : t.values()) v = value;
    return t;
  }
};

// ---- Conv2D ----------------------------------------------------------------------------------

// CVE-2021-29526 (GHSA-4vf2-4xcg-65cx): tf.raw_ops.Conv2D took `in_depth % filter.dim_size(2)` for
// an empty input and filter [0, 0, 0, 0] with SAME padding: a division by zero.
TEST_F(Advisory, CVE_2021_29526_Conv2DEmptyInputAndFilter) {
  const Tensor x({0, 0, 0, 0}), w({0, 0, 0, 0});
  Conv2DOptions options;
  options.params.padding = Padding2D::same();
  expect_refused<ShapeError>([&] { conv2d(x, w, nullptr, options); },
                             {"conv2d: filter kernel size must be >= 1, got 0x0"});
  expect_cli_refused("conv " + files(x, &w) + " --padding same",
                     {"filter kernel size must be >= 1, got 0x0"});
}

// CVE-2021-37675: Conv2D shape inference divided and took modulos by the filter's in-channels and
// by the group count without checking them.
TEST_F(Advisory, CVE_2021_37675_Conv2DZeroInChannelsAndGroups) {
  const Tensor x({1, 2, 2, 0}), w({1, 1, 0, 4});
  expect_refused<ShapeError>([&] { conv2d(x, w, nullptr); },
                             {"filter in- and out-channels must be >= 1", "(1, 1, 0, 4)"});
  const Tensor x4({1, 2, 2, 4}), w4({1, 1, 4, 4});
  Conv2DOptions options;
  options.params.groups = 0;
  expect_refused<InvalidArgument>([&] { conv2d(x4, w4, nullptr, options); },
                                  {"conv2d: groups must be >= 1, got 0"});
  expect_cli_refused("conv " + files(x4, &w4) + " --groups 0", {"--groups: must be >= 1, got 0"});
}

// CVE-2021-41209: convolutions divided by zero when given an empty filter tensor.
TEST_F(Advisory, CVE_2021_41209_Conv2DEmptyFilter) {
  const Tensor x({1, 5, 5, 2}), w({3, 3, 2, 0});
  expect_refused<ShapeError>([&] { conv2d(x, w, nullptr); },
                             {"filter in- and out-channels must be >= 1", "(3, 3, 2, 0)"});
  expect_cli_refused("conv " + files(x, &w), {"filter in- and out-channels must be >= 1"});
}

// CVE-2023-27579 (GHSA-5w96-866f-6rm8): TFLite's conv kernel divided by a filter input-channel
// count below 1, which also made the group count input_depth / filter_depth meaningless.
TEST_F(Advisory, CVE_2023_27579_FilterInChannelsBelowOneAndGroupMismatch) {
  const Shape input{1, 5, 5, 4};
  expect_refused<ShapeError>(
      [&] {
        Conv2DGeometry::make(input, Shape{1, 1, -1, 4}, {});
      },
      {"conv2d: filter dimension 2 must be >= 0, got -1"});
  Conv2DParams groups3;
  groups3.groups = 3;
  expect_refused<ShapeError>(
      [&] {
        Conv2DGeometry::make(input, Shape{1, 1, 1, 3}, groups3);
      },
      {"groups (3) must divide the input channels (4)"});
  // 2^62 in-channels times 4 groups overflows: compared without the product, named as such.
  Conv2DParams groups4;
  groups4.groups = 4;
  expect_refused<ShapeError>(
      [&] {
        Conv2DGeometry::make(input, Shape{1, 1, std::int64_t{1} << 62, 4}, groups4);
      },
      {"must equal filter in-channels (4611686018427387904) * groups (4) = more than 64 bits"});
  const Tensor x(input), w({1, 1, 2, 6});
  expect_cli_refused("conv " + files(x, &w) + " --groups 3",
                     {"groups (3) must divide the input channels (4)"});
}

// CVE-2021-29594 (GHSA-3qgw-p4fm-x7gf): TFLite's conv divided NumElements(input) by the batch
// size. An empty batch is a valid input: the result is an empty output of the right shape.
TEST_F(Advisory, CVE_2021_29594_Conv2DEmptyBatchIsAnEmptyOutput) {
  const Tensor x({0, 5, 5, 2}), w = filled({3, 3, 2, 4}, 1.0f);
  EXPECT_EQ(conv2d(x, w, nullptr).shape(), Shape({0, 3, 3, 4}));
  Conv2DOptions same;
  same.params.padding = Padding2D::same();
  EXPECT_EQ(conv2d(Tensor({1, 0, 0, 2}), w, nullptr, same).shape(), Shape({1, 0, 0, 4}));
  EXPECT_EQ(expect_cli_output("conv " + files(x, &w)).shape(), Shape({0, 3, 3, 4}));
}

// CVE-2021-29524 (GHSA-r4pj-74mg-8868): Conv2DBackpropFilter took a modulus by the filter's
// in-channels for input [0, 0, 1, 0], filter [1, 1, 1, 1] and strides (1, 66, 18, 1).
TEST_F(Advisory, CVE_2021_29524_ChannelMismatchWithLargeStrides) {
  const Tensor x({0, 0, 1, 0}), w({1, 1, 1, 1});
  Conv2DOptions options;
  options.params.strides = pair_from_list(std::vector<std::int64_t>{1, 66, 18, 1}, "strides");
  options.params.padding = Padding2D::same();
  expect_refused<ShapeError>(
      [&] { conv2d(x, w, nullptr, options); },
      {"conv2d: input channels (0) must equal filter in-channels (1) * groups (1) = 1"});
  expect_cli_refused("conv " + files(x, &w) + " --strides 1,66,18,1 --padding same",
                     {"input channels (0) must equal filter in-channels (1)"});
}

// CVE-2021-29540: Conv2DBackpropFilter overflowed the heap when the filter did not match the
// input's channels (input [1, 1, 1, 2], filter [1, 1, 1, 1], strides 66, 49) or, with empty
// tensors, when a 3x8 filter met a 1x1 input under VALID padding.
TEST_F(Advisory, CVE_2021_29540_KernelLargerThanInputAndChannelMismatch) {
  Conv2DOptions strided;
  strided.params.strides = {66, 49};
  expect_refused<ShapeError>(
      [&] {
        conv2d(Tensor({1, 1, 1, 2}), Tensor({1, 1, 1, 1}), nullptr, strided);
      },
      {"input channels (2) must equal filter in-channels (1)"});
  const Tensor x({0, 1, 1, 5}), w({3, 8, 5, 1});
  expect_refused<ShapeError>([&] { conv2d(x, w, nullptr); },
                             {"padding 'valid' needs the height window (3 = (kernel 3 - 1) * "
                              "dilation 1 + 1) to fit in the input height 1"});
  expect_cli_refused("conv " + files(x, &w) + " --strides 66,49",
                     {"padding 'valid' needs the height window", "input height 1"});
}

// CVE-2021-29517 (GHSA-772p-x54p-hjrv): Conv3D divided by the filter's fifth dimension (0) and
// hit an Eigen assertion when the two tensors' shapes did not fit. Strider's 2-D ops say which rank
// they take.
TEST_F(Advisory, CVE_2021_29517_Conv3DShapedTensorsAreRefusedByRank) {
  const Tensor x({0, 0, 0, 0, 0}), w({0, 0, 0, 0, 0});
  expect_refused<ShapeError>([&] { conv2d(x, w, nullptr); },
                             {"conv2d: input must be rank 4 (NHWC), got rank 5: (0, 0, 0, 0, 0)"});
  expect_refused<ShapeError>(
      [&] {
        separable_conv2d(Tensor({1, 3, 3, 2}), Tensor({1, 1, 2, 3}), Tensor({1, 1, 5, 4}), nullptr);
      },
      {"input channels (6) must equal filter in-channels (5)"});
  expect_cli_refused("conv " + files(x, &w) + " --strides 56 --dilation 1,23",
                     {"input must be rank 4 (NHWC), got rank 5"});
}

// ---- Conv2DBackpropInput / Filter, modelled on conv2d_transpose -------------------------------

// CVE-2021-29525 (GHSA-xm2v-8rrw-w9pm): Conv2DBackpropInput divided by a work size computed from
// an empty filter [0, 1, 5, 0] and out_backprop [52, 1, 1, 0].
TEST_F(Advisory, CVE_2021_29525_TransposeEmptyFilter) {
  const Tensor x({52, 1, 1, 0}), w({0, 1, 5, 0});
  Conv2DTransposeOptions options;
  options.params.padding = Padding2D::same();
  expect_refused<ShapeError>(
      [&] { conv2d_transpose(x, w, nullptr, options); },
      {"conv2d_transpose: every filter dimension must be >= 1, got (0, 1, 5, 0)"});
  expect_cli_refused("conv-transpose " + files(x, &w) + " --padding same",
                     {"every filter dimension must be >= 1"});
}

// CVE-2021-29538 (GHSA-j8qc-5fqr-52fp): Conv2DBackpropFilter divided by zero when every shape
// was empty.
TEST_F(Advisory, CVE_2021_29538_TransposeAllShapesEmpty) {
  const Tensor x({0, 0, 0, 0}), w({0, 0, 0, 0});
  expect_refused<ShapeError>([&] { conv2d_transpose(x, w, nullptr); },
                             {"every filter dimension must be >= 1, got (0, 0, 0, 0)"});
  expect_cli_refused("conv-transpose " + files(x, &w), {"every filter dimension must be >= 1"});
}

// GHSA-37jf-mjv6-xfqw: Conv2DBackpropInput CHECK-failed for an empty out_backprop [3, 1, 0, 3]
// with filter [1, 3, 2, 3], strides (1, 2) and VALID padding. An input of width 0 reaches no
// output width through a VALID window of 3: refused, naming the sizes that would be consistent.
TEST_F(Advisory, GHSA_37jf_mjv6_xfqw_TransposeEmptyInputWidth) {
  const Tensor x({3, 1, 0, 3}), w({1, 3, 2, 3});
  Conv2DTransposeOptions options;
  options.params.strides = {1, 2};
  options.params.output_size = Pair2D{1, 1};
  expect_refused<ShapeError>([&] { conv2d_transpose(x, w, nullptr, options); },
                             {"output width 1 (requested) is inconsistent with input width 0",
                              "consistent output sizes: none"});
  expect_cli_refused(
      "conv-transpose " + files(x, &w) + " --strides 1,2 --output-shape 3,1,1,2",
      {"output width 1 (requested) is inconsistent", "consistent output sizes: none"});
  // SAME maps width 0 to width 0: the empty result is defined.
  options.params.padding = Padding2D::same();
  options.params.output_size.reset();
  EXPECT_EQ(conv2d_transpose(x, w, nullptr, options).shape(), Shape({3, 1, 0, 2}));
}

// CVE-2021-29522 (GHSA-c968-pq7h-7fxv): Conv3DBackprop* divided by zero for empty tensors such as
// out_backprop [1, 1, 1, 1, 0] against a filter with one in-channel.
TEST_F(Advisory, CVE_2021_29522_TransposeZeroChannelsAgainstFilter) {
  const Tensor x({1, 1, 1, 0}), w({1, 1, 1, 1});
  expect_refused<ShapeError>([&] { conv2d_transpose(x, w, nullptr); },
                             {"input channels (0) must equal the filter's last dimension (1)"});
  expect_cli_refused("conv-transpose " + files(x, &w),
                     {"input channels (0) must equal the filter's last dimension (1)"});
}

// CVE-2021-29520 (GHSA-wcv5-qrj6-9pfm): Conv3DBackprop* overflowed the heap because input_sizes,
// filter and out_backprop were assumed to agree (strides 89, 29, SAME).
TEST_F(Advisory, CVE_2021_29520_TransposeOutputShapeDisagreesWithInput) {
  const Tensor x = filled({1, 1, 1, 1}, 1.0f), w = filled({4, 1, 1, 1}, 1.0f);
  Conv2DTransposeOptions options;
  options.params.strides = {89, 29};
  options.params.padding = Padding2D::same();
  options.params.output_size = Pair2D{90, 1};
  expect_refused<ShapeError>([&] { conv2d_transpose(x, w, nullptr, options); },
                             {"output height 90 (requested) is inconsistent with input height 1",
                              "consistent output sizes: 1..89"});
  expect_cli_refused(
      "conv-transpose " + files(x, &w) + " --strides 89,29 --padding same --output-shape 1,1,1,2",
      {"--output-shape: C (2) must equal out-channels (1)"});
}

// CVE-2021-29576 (GHSA-7cqx-92hp-x6wh): MaxPool3DGradGrad wrote past the heap when orig_input
// (batch 11) and orig_output (batch 1) disagreed. An output shape must agree with the input.
TEST_F(Advisory, CVE_2021_29576_OutputShapeBatchAndPaddingDisagree) {
  const Tensor x = filled({1, 2, 2, 1}, 1.0f), w = filled({3, 3, 1, 1}, 1.0f);
  Conv2DTransposeOptions options;
  options.params.strides = {2, 2};
  options.params.output_padding = Pair2D{1, 1};
  options.params.output_size = Pair2D{5, 5};
  expect_refused<ShapeError>([&] { conv2d_transpose(x, w, nullptr, options); },
                             {"output height 5 disagrees with output_padding 1, which gives 6"});
  expect_cli_refused("conv-transpose " + files(x, &w) + " --strides 2 --output-shape 11,5,5,1",
                     {"--output-shape: N (11) must equal the input batch (1)"});
  expect_cli_refused("conv-transpose " + files(x, &w) + " --strides 2 --output-padding 2",
                     {"output_padding must be >= 0 and smaller than the stride (2)", "got 2"});
}

// CVE-2022-41894 (GHSA-h6q3-vv32-2cq5): TFLite's CONV_3D_TRANSPOSE stepped the bias pointer by the
// input channel count and wrote out of bounds when in- and out-channels differ (here 16 and 8).
TEST_F(Advisory, CVE_2022_41894_TransposeBiasFollowsOutputChannels) {
  Tensor x({1, 2, 2, 16}), w({2, 2, 8, 16});
  for (std::int64_t i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(i % 7) - 3.0f;
  for (std::int64_t i = 0; i < w.size(); ++i) w.data()[i] = static_cast<float>(i % 5) * 0.25f;
  const Tensor wrong_bias({16});
  Conv2DTransposeOptions options;
  options.params.padding = Padding2D::same();
  expect_refused<ShapeError>([&] { conv2d_transpose(x, w, &wrong_bias, options); },
                             {"bias must have shape (8,) to match 8 output channels, got (16,)"});
  Tensor bias({8});
  for (std::int64_t c = 0; c < 8; ++c) bias.data()[c] = 100.0f * static_cast<float>(c);
  const Tensor with = conv2d_transpose(x, w, &bias, options);
  const Tensor without = conv2d_transpose(x, w, nullptr, options);
  ASSERT_EQ(with.shape(), Shape({1, 2, 2, 8}));
  for (std::int64_t i = 0; i < with.size(); ++i) {
    EXPECT_FLOAT_EQ(with.data()[i], without.data()[i] + 100.0f * static_cast<float>(i % 8)) << i;
  }
  save("b.npy", wrong_bias);
  expect_cli_refused("conv-transpose " + files(x, &w) + " --padding same --bias " + quoted("b.npy"),
                     {"bias must have shape (8,)"});
}

// ---- Depthwise ---------------------------------------------------------------------------------

// CVE-2021-29602 (GHSA-rf3h-xgv5-2q39): TFLite's DepthwiseConv took a modulus by the input's
// channel count, 0 in a crafted model; a depth multiplier of 0 is the filter-side twin.
TEST_F(Advisory, CVE_2021_29602_DepthwiseZeroChannelsOrMultiplier) {
  const Tensor x({1, 3, 3, 0}), w({1, 1, 0, 1});
  expect_refused<ShapeError>([&] { depthwise_conv2d(x, w, nullptr); },
                             {"depthwise_conv2d: input channels must be >= 1, got 0"});
  expect_refused<InvalidArgument>(
      [&] {
        depthwise_conv2d(Tensor({1, 3, 3, 2}), Tensor({3, 3, 2, 0}), nullptr);
      },
      {"depth_multiplier must be >= 1, got 0"});
  expect_cli_refused("depthwise " + files(x, &w), {"input channels must be >= 1, got 0"});
}

// PYSEC-2022-120: TFLite's depthwise convolution divided by user-controlled parameters (stride,
// dilation) while computing its padding.
TEST_F(Advisory, PYSEC_2022_120_DepthwiseZeroDilationAndStride) {
  const Tensor x = filled({1, 5, 5, 2}, 1.0f), w = filled({3, 3, 2, 1}, 1.0f);
  DepthwiseConv2DOptions options;
  options.padding = Padding2D::same();
  options.dilation = {0, 1};
  expect_refused<InvalidArgument>([&] { depthwise_conv2d(x, w, nullptr, options); },
                                  {"depthwise_conv2d: height dilation must be >= 1, got 0"});
  options.dilation = {1, 1};
  options.strides = {1, 0};
  expect_refused<InvalidArgument>([&] { depthwise_conv2d(x, w, nullptr, options); },
                                  {"depthwise_conv2d: width stride must be >= 1, got 0"});
  expect_cli_refused("depthwise " + files(x, &w) + " --padding same --dilation 0",
                     {"--dilation: every value must be >= 1, got '0'"});
}

// CVE-2021-41197 (GHSA-prcg-wp5q-rv7p), as TFSA-2022-071 applied it to the depthwise ops:
// filter sizes of 1879048192 overflowed the element count into a CHECK failure.
TEST_F(Advisory, CVE_2021_41197_DepthwiseFilterSizeOverflow) {
  Conv2DParams same;
  same.padding = Padding2D::same();
  const std::int64_t big = 1879048192;
  expect_refused<ShapeError>(
      [&] {
        Conv2DGeometry::make_depthwise(Shape{1, 4, 4, 3}, Shape{big, big, 3, big}, same);
      },
      {"overflows 64-bit integers"});
  expect_error(
      "shape --op depthwise --input 1,4,4,3 --kernel 1879048192 --depth-multiplier "
      "1879048192 --padding same",
      {"overflows 64-bit integers"});
}

// ---- Pooling (MaxPool, AvgPool and their gradients) ---------------------------------------------

// CVE-2021-29579: MaxPoolGrad read out of bounds for an empty grad. Pooling an empty tensor is
// defined: the output is empty, and a 1x1 SAME pool is the identity.
TEST_F(Advisory, CVE_2021_29579_MaxPoolEmptyTensors) {
  Pool2DParams params;
  params.pool_size = {1, 1};
  params.padding = Padding2D::same();
  EXPECT_EQ(max_pool2d(Tensor({0, 0, 0, 0}), params).shape(), Shape({0, 0, 0, 0}));
  EXPECT_EQ(max_pool2d(Tensor({2, 0, 3, 1}), params).shape(), Shape({2, 0, 3, 1}));
  const Tensor one = filled({1, 1, 1, 1}, 4.5f);
  EXPECT_EQ(max_pool2d(one, params).data()[0], 4.5f);
  const Tensor y =
      expect_cli_output("pool --op max --pool 1 --padding same " + files(Tensor({0, 0, 0, 0})));
  EXPECT_EQ(y.shape(), Shape({0, 0, 0, 0}));
}

// CVE-2021-37674 (GHSA-7ghq-fvr3-pj2x): MaxPoolGrad segfaulted on input [3, 0, 0, 2] with ksize
// 16, strides (16, 18) and EXPLICIT paddings (14, 3, 15, 5). Pooling takes VALID or SAME only.
TEST_F(Advisory, CVE_2021_37674_PoolExplicitPaddingOnEmptyInput) {
  Pool2DParams params;
  params.pool_size = {16, 16};
  params.strides = Pair2D{16, 18};
  params.padding = Padding2D::explicit_pads(14, 3, 15, 5);
  expect_refused<InvalidArgument>(
      [&] {
        max_pool2d(Tensor({3, 0, 0, 2}), params);
      },
      {"max_pool2d: padding must be 'valid' or 'same', got '14,3,15,5'"});
  expect_cli_refused(
      "pool --op max --pool 16 --strides 16,18 --padding 14,3,15,5 " + files(Tensor({3, 0, 0, 2})),
      {"padding must be 'valid' or 'same', got '14,3,15,5'"});
}

// The same report's EXPLICIT paddings, grown to 2^60 on a convolution: windows that lie wholly in
// the padding read nothing and give the bias (the direct kernel once formed a pointer 2^60 cells
// before the input for them; found by the geometry fuzzer).
TEST_F(Advisory, CVE_2021_37674_HugeExplicitPaddingOnConv2D) {
  const Tensor x = filled({1, 5, 1, 17}, 1.0f), w = filled({1, 17, 17, 2}, 1.0f);
  Tensor bias({2});
  bias.data()[0] = 3.0f;
  bias.data()[1] = -4.0f;
  Conv2DOptions options;
  options.params.strides = {1, std::int64_t{1} << 62};
  options.params.padding = Padding2D::explicit_pads(0, 0, (std::int64_t{1} << 60) + 3, 3);
  for (const char* kernel : {"", "reference"}) {
    options.kernel = kernel;
    const Tensor y = conv2d(x, w, &bias, options);
    ASSERT_EQ(y.shape(), Shape({1, 5, 1, 2})) << kernel;
    for (std::int64_t i = 0; i < y.size(); ++i) EXPECT_EQ(y.data()[i], bias.data()[i % 2]) << i;
  }
  save("b.npy", bias);
  const Tensor cli = expect_cli_output("conv " + files(x, &w) + " --bias " + quoted("b.npy") +
                                       " --strides 1,4611686018427387904 --padding "
                                       "0,0,1152921504606846979,3");
  EXPECT_EQ(cli.data()[0], 3.0f);
  EXPECT_EQ(cli.data()[1], -4.0f);
}

// CVE-2021-41196 (GHSA-m539-j985-hcr8): the Keras pooling layers segfaulted for a pool size of 0.
TEST_F(Advisory, CVE_2021_41196_PoolSizeZero) {
  Pool2DParams params;
  params.pool_size = {2, 0};
  expect_refused<InvalidArgument>(
      [&] {
        max_pool2d(Tensor({1, 4, 4, 1}), params);
      },
      {"max_pool2d: pool size must be >= 1, got (2, 0)"});
  expect_cli_refused("pool --op max --pool 2,0 " + files(Tensor({1, 4, 4, 1})),
                     {"--pool: every value must be >= 1, got '2,0'"});
}

// GHSA-mgmh-g2v6-mqw5: AvgPoolOp CHECK-failed on a negative ksize.
TEST_F(Advisory, GHSA_mgmh_g2v6_mqw5_AvgPoolNegativeSize) {
  Pool2DParams params;
  params.pool_size = {-2, 2};
  expect_refused<InvalidArgument>(
      [&] {
        avg_pool2d(Tensor({1, 4, 4, 1}), params);
      },
      {"avg_pool2d: pool size must be >= 1, got (-2, 2)"});
  expect_cli_refused("pool --op avg --pool=-2,2 " + files(Tensor({1, 4, 4, 1})),
                     {"--pool: every value must be >= 1, got '-2,2'"});
}

// CVE-2021-29586 (GHSA-26j7-6w8w-7922): TFLite's optimized pooling divided by a stride of 0.
TEST_F(Advisory, CVE_2021_29586_PoolZeroStride) {
  Pool2DParams params;
  params.strides = Pair2D{0, 1};
  expect_refused<InvalidArgument>(
      [&] {
        max_pool2d(Tensor({1, 4, 4, 1}), params);
      },
      {"max_pool2d: height stride must be >= 1, got 0"});
  expect_cli_refused("pool --op max --pool 2 --strides 0,1 " + files(Tensor({1, 4, 4, 1})),
                     {"--strides: every value must be >= 1, got '0,1'"});
}

// CVE-2022-21725 (GHSA-v3f7-j968-4h5f): the cost estimator divided by AvgPoolGrad's stride 0 in
// the channel position, strides [1, 1, 1, 0]. Strides in the batch or channel position must be 1.
TEST_F(Advisory, CVE_2022_21725_StridesInBatchOrChannelPosition) {
  expect_refused<InvalidArgument>(
      [] {
        pair_from_list(std::vector<std::int64_t>{1, 1, 1, 0}, "strides");
      },
      {"strides: the 4-form (1, h, w, 1) must have 1 in the batch and channel positions, got "
       "(1, 1, 1, 0)"});
  expect_refused<InvalidArgument>(
      [] {
        pair_from_list(std::vector<std::int64_t>{2, 1, 1, 1}, "strides");
      },
      {"must have 1 in the batch and channel positions, got (2, 1, 1, 1)"});
  expect_cli_refused("pool --op avg --pool 1 --strides 1,1,1,0 " + files(Tensor({1, 3, 1, 1})),
                     {"--strides: the 4-form (1, h, w, 1) must have 1 in the batch and channel"});
  const Tensor w({1, 1, 1, 1});
  expect_cli_refused("conv " + files(Tensor({1, 3, 3, 1}), &w) + " --strides 2,1,1,1",
                     {"must have 1 in the batch and channel positions, got (2, 1, 1, 1)"});
}

// CVE-2021-37684 (GHSA-q7f7-544h-67h9): TFLite's pooling divided by zero. A window larger than
// the input is refused under VALID; under SAME the average divides by the real cells it covers.
TEST_F(Advisory, CVE_2021_37684_PoolWindowLargerThanInput) {
  Tensor x({1, 2, 2, 1});
  for (std::int64_t i = 0; i < 4; ++i) x.data()[i] = static_cast<float>(i + 1);  // 1 2 / 3 4
  Pool2DParams params;
  params.pool_size = {3, 3};
  params.strides = Pair2D{1, 1};
  expect_refused<ShapeError>([&] { avg_pool2d(x, params); },
                             {"padding 'valid' needs the height window (3", "input height 2"});
  params.padding = Padding2D::same();
  const Tensor y = avg_pool2d(x, params);
  ASSERT_EQ(y.shape(), Shape({1, 2, 2, 1}));
  for (std::int64_t i = 0; i < 4; ++i) EXPECT_FLOAT_EQ(y.data()[i], 2.5f);  // every window: all 4
  expect_cli_refused("pool --op avg --pool 3 --strides 1 " + files(x),
                     {"padding 'valid' needs the height window"});
  const Tensor cli =
      expect_cli_output("pool --op avg --pool 3 --strides 1 --padding same " + files(x));
  for (std::int64_t i = 0; i < 4; ++i) EXPECT_FLOAT_EQ(cli.data()[i], 2.5f);
}

// GHSA-rcf8-g8jv-vg6p (CVE-2023-25669): AvgPoolGrad divided by zero under XLA. A SAME window far
// larger than the input (2^20 cells a side) pads huge amounts; only the real cells are read and
// counted. At 2^40 a side, the cells the windows span (2^80 per window) no longer fit in 64 bits.
TEST_F(Advisory, GHSA_rcf8_g8jv_vg6p_AvgPoolHugeWindowReadsOnlyRealCells) {
  Tensor x({1, 3, 3, 2});
  for (std::int64_t i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(i);
  Pool2DParams params;
  params.pool_size = {std::int64_t{1} << 20, std::int64_t{1} << 20};
  params.strides = Pair2D{1, 1};
  params.padding = Padding2D::same();
  const Tensor y = avg_pool2d(x, params);
  ASSERT_EQ(y.shape(), Shape({1, 3, 3, 2}));
  for (std::int64_t i = 0; i < y.size(); ++i) {
    EXPECT_FLOAT_EQ(y.data()[i], i % 2 == 0 ? 8.0f : 9.0f) << i;  // means of 0,2,..,16 and 1,..,17
  }
  params.pool_size = {std::int64_t{1} << 40, std::int64_t{1} << 40};
  expect_refused<ShapeError>([&] { avg_pool2d(x, params); }, {"overflows 64-bit integers"});
  const Tensor cli =
      expect_cli_output("pool --op avg --pool 1048576 --strides 1 --padding same " + files(x));
  EXPECT_FLOAT_EQ(cli.data()[0], 8.0f);
  expect_cli_refused("pool --op avg --pool 1099511627776 --strides 1 --padding same " + files(x),
                     {"overflows 64-bit integers"});
}

// CVE-2021-29577 (GHSA-v6r6-84gr-92rm): AvgPool3DGrad wrote past the heap when orig_input_shape
// and grad disagreed. Global average pooling over an empty extent would divide by zero cells.
TEST_F(Advisory, CVE_2021_29577_GlobalAveragePoolEmptyExtent) {
  expect_refused<ShapeError>(
      [] {
        global_avg_pool2d(Tensor({3, 0, 0, 7}));
      },
      {"global_avg_pool2d: input height and width must be >= 1"});
  const Tensor y =
      expect_cli_output("pool --op avg --pool 1 --padding same " + files(Tensor({3, 0, 0, 7})));
  EXPECT_EQ(y.shape(), Shape({3, 0, 0, 7}));
}

// CVE-2022-35959: AvgPoolGrad CHECK-failed on orig_input_shape -536870912 in every position.
TEST_F(Advisory, CVE_2022_35959_PoolNegativeShape) {
  const std::int64_t n = -536870912;
  expect_refused<ShapeError>(
      [&] {
        Pool2DGeometry::make(Shape{n, n, n, n}, {});
      },
      {"dimension 0 must be >= 0, got -536870912"});
  expect_error("shape --op pool --pool 2 --input=-536870912,-536870912,-536870912,-536870912",
               {"must be >= 0, got -536870912"});
}

// GHSA-84jm-4cf3-9jfm: FractionalAvgPoolGrad's orig_input_tensor_shape 1879048192 in every
// position overflowed the element count into a CHECK failure.
TEST_F(Advisory, GHSA_84jm_4cf3_9jfm_PoolShapeOverflow) {
  const std::int64_t n = 1879048192;
  expect_refused<ShapeError>(
      [&] {
        Pool2DGeometry::make(Shape{n, n, n, n}, {});
      },
      {"overflows 64-bit integers"});
  expect_error("shape --op pool --pool 1 --input 1879048192,1879048192,1879048192,1879048192",
               {"overflows 64-bit integers"});
}

// CVE-2021-29570 (GHSA-545v-42p7-98fq): MaxPoolGradWithArgmax indexed one array with positions of
// another. Windows with stride larger than the pool, odd sizes and SAME padding read only cells of
// their own window: checked against positions computed by hand.
TEST_F(Advisory, CVE_2021_29570_PoolWindowsReadOnlyTheirOwnCells) {
  Tensor x({1, 7, 7, 1});
  for (std::int64_t i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(i);
  Pool2DParams params;
  params.pool_size = {2, 2};
  params.strides = Pair2D{3, 3};
  params.padding = Padding2D::same();
  // SAME: output 3, needed (3 - 1) * 3 + 2 - 7 = 1 -> pad 0 before, 1 after. Windows start at 0, 3,
  // 6; the last covers row 6 and one padded row.
  const Tensor y = max_pool2d(x, params);
  ASSERT_EQ(y.shape(), Shape({1, 3, 3, 1}));
  const float want[] = {8, 11, 13, 29, 32, 34, 43, 46, 48};
  for (int i = 0; i < 9; ++i) EXPECT_EQ(y.data()[i], want[i]) << i;
  const Tensor cli =
      expect_cli_output("pool --op max --pool 2 --strides 3 --padding same " + files(x));
  for (int i = 0; i < 9; ++i) EXPECT_EQ(cli.data()[i], want[i]) << i;
}

// ---- Strides, dilation and sizes
// ------------------------------------------------------------------

// CVE-2021-29588 (GHSA-vfr4-x8j2-3rf9): TFLite's TransposeConv divided by stride_{h,w} = 0.
TEST_F(Advisory, CVE_2021_29588_TransposeZeroStride) {
  const Tensor x = filled({1, 2, 2, 1}, 1.0f), w = filled({2, 2, 1, 1}, 1.0f);
  Conv2DTransposeOptions options;
  options.params.strides = {0, 0};
  expect_refused<InvalidArgument>([&] { conv2d_transpose(x, w, nullptr, options); },
                                  {"conv2d_transpose: height stride must be >= 1, got 0"});
  expect_cli_refused("conv-transpose " + files(x, &w) + " --strides 0",
                     {"--strides: every value must be >= 1, got '0'"});
}

// CVE-2021-29585 (GHSA-mv78-g7wq-mhp4): TFLite's ComputeOutSize divided by a stride of 0. Negative
// strides are refused the same way, and the largest stride there is gives a defined output.
TEST_F(Advisory, CVE_2021_29585_ZeroNegativeAndHugeStrides) {
  // Two channels: the direct kernel once multiplied the stride by the channel count (UB at
  // INT64_MAX; found by the geometry fuzzer).
  Tensor x({1, 3, 3, 2});
  for (std::int64_t i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(i + 1);
  const Tensor w = filled({1, 1, 2, 1}, 2.0f);
  Conv2DOptions options;
  options.params.strides = {-1, 1};
  expect_refused<InvalidArgument>([&] { conv2d(x, w, nullptr, options); },
                                  {"conv2d: height stride must be >= 1, got -1"});
  options.params.strides = {std::numeric_limits<std::int64_t>::max(),
                            std::numeric_limits<std::int64_t>::max()};
  options.params.padding = Padding2D::same();
  const Tensor y = conv2d(x, w, nullptr, options);
  ASSERT_EQ(y.shape(), Shape({1, 1, 1, 1}));
  EXPECT_EQ(y.data()[0], 6.0f);  // the only window starts at (0, 0): 2 * (1 + 2)
  expect_cli_refused("conv " + files(x, &w) + " --strides 0,2",
                     {"--strides: every value must be >= 1, got '0,2'"});
  expect_cli_refused("conv " + files(x, &w) + " --strides=-1",
                     {"--strides: every value must be >= 1, got '-1'"});
  const Tensor cli =
      expect_cli_output("conv " + files(x, &w) + " --strides 9223372036854775807 --padding same");
  EXPECT_EQ(cli.data()[0], 6.0f);
  expect_cli_refused("conv " + files(x, &w) + " --strides 9223372036854775808",
                     {"--strides", "9223372036854775808"});
}

// CVE-2021-29584: a TensorShape whose element count overflowed int64 CHECK-failed. Strider
// refuses such shapes as tensors and as .npy headers, before allocating anything.
TEST_F(Advisory, CVE_2021_29584_TensorShapeOverflow) {
  const std::int64_t big = std::int64_t{1} << 31;
  expect_refused<ShapeError>([&] { Tensor t({big, big, big}); }, {"overflows 64-bit integers"});
  save_bytes("x.npy", [] {
    const std::string header =
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2147483648, 2147483648, 2147483648, "
        "1), }\n";
    std::string bytes = "\x93NUMPY";
    bytes += '\x01';
    bytes += '\0';
    bytes += static_cast<char>(header.size());
    bytes += '\0';
    return bytes + header;
  }());
  save("w.npy", Tensor({1, 1, 1, 1}));
  expect_cli_refused(io_args(), {"too large: its size in bytes overflows 64-bit integers"});
}

// CVE-2022-23576 (GHSA-wm93-f238-7v37): the cost estimator multiplied output dimensions without
// an overflow check. Every count geometry reports is checked.
TEST_F(Advisory, CVE_2022_23576_OutputCountOverflow) {
  const std::int64_t n = 3037000500;  // n * n > INT64_MAX
  expect_refused<ShapeError>(
      [&] {
        Conv2DGeometry::make(Shape{n, n, 1, 1}, Shape{1, 1, 1, 2}, {});
      },
      {"overflows 64-bit integers"});
  expect_error("shape --input 3037000500,3037000500,1,1 --filters 2 --kernel 1",
               {"overflows 64-bit integers"});
}

// CVE-2021-29601: TFLite kept tensor dimensions in int, so valid TensorFlow sizes overflowed 32
// bits. Strider's counts are 64-bit and exact beyond 2^32.
TEST_F(Advisory, CVE_2021_29601_CountsBeyond32BitsAreExact) {
  const Conv2DGeometry g = Conv2DGeometry::make(Shape{1, 65536, 65536, 1}, Shape{1, 1, 1, 2}, {});
  EXPECT_EQ(g.output_shape(), Shape({1, 65536, 65536, 2}));
  EXPECT_EQ(g.macs(), std::int64_t{8589934592});
  const cli_test::Result r = run("shape --input 1,65536,65536,1 --filters 2 --kernel 1");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("8,589,934,592"), std::string::npos) << r.out;
}

// CVE-2022-41885: FusedResizeAndPadConv2D overflowed on a huge size. An upsampling transposed
// convolution with stride 2^20 would need 16 TiB: refused before allocating, naming the size.
TEST_F(Advisory, CVE_2022_41885_HugeOutputRefusedBeforeAllocating) {
  const Tensor x = filled({1, 2, 2, 1}, 1.0f), w = filled({2, 2, 1, 1}, 1.0f);
  Conv2DTransposeOptions options;
  options.params.strides = {std::int64_t{1} << 20, std::int64_t{1} << 20};
  expect_refused<ResourceError>(
      [&] { conv2d_transpose(x, w, nullptr, options); },
      {"a float32 tensor of shape (1, 2097152, 2097152, 1) needs 16.0 TiB", "memory limit"});
  expect_cli_refused("conv-transpose " + files(x, &w) + " --strides 1048576",
                     {"needs 16.0 TiB", "--max-memory"});
}

// Dilation with zero: CVE-2021-29517's Conv3D report also set a dilation of 23 under strides of
// 56; here dilation 0 (refused) and a dilation that spreads the window past the input (refused
// under VALID, defined under SAME).
TEST_F(Advisory, CVE_2021_29517_DilationZeroAndOversized) {
  Tensor x({1, 5, 5, 1});
  for (std::int64_t i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(i);
  const Tensor w = filled({2, 2, 1, 1}, 1.0f);
  Conv2DOptions options;
  options.params.dilation = {1, 0};
  expect_refused<InvalidArgument>([&] { conv2d(x, w, nullptr, options); },
                                  {"conv2d: width dilation must be >= 1, got 0"});
  options.params.dilation = {23, 23};
  expect_refused<ShapeError>([&] { conv2d(x, w, nullptr, options); },
                             {"(24 = (kernel 2 - 1) * dilation 23 + 1) to fit in the input"});
  options.params.padding = Padding2D::same();
  options.params.strides = {56, 56};
  const Tensor y = conv2d(x, w, nullptr, options);
  ASSERT_EQ(y.shape(), Shape({1, 1, 1, 1}));
  // SAME pads 24 - 5 = 19: 9 before. Taps at -9 and 14 both miss the 5x5 input.
  EXPECT_EQ(y.data()[0], 0.0f);
  expect_cli_refused("conv " + files(x, &w) + " --dilation 1,0",
                     {"--dilation: every value must be >= 1, got '1,0'"});
  expect_cli_refused("conv " + files(x, &w) + " --dilation 23", {"to fit in the input height 5"});
}

// Conv1D: the causal padding's pad (effective - 1) for a dilation near INT64_MAX overflows.
// Modelled on CVE-2021-29585's unchecked output-size arithmetic (GHSA-mv78-g7wq-mhp4).
TEST_F(Advisory, CVE_2021_29585_Conv1DCausalDilationOverflow) {
  Conv1DOptions options;
  options.padding = {PaddingKind::kCausal};
  options.dilation = std::numeric_limits<std::int64_t>::max();
  expect_refused<ShapeError>(
      [&] {
        conv1d(Tensor({1, 4, 1}), Tensor({3, 1, 1}), nullptr, options);
      },
      {"conv1d: length window", "overflows 64-bit integers"});
  options.dilation = 1;
  options.stride = 0;
  expect_refused<InvalidArgument>(
      [&] {
        conv1d(Tensor({1, 4, 1}), Tensor({3, 1, 1}), nullptr, options);
      },
      {"conv1d: length stride must be >= 1, got 0"});
}

// ---- NaN and Inf values
// --------------------------------------------------------------------------

// CVE-2020-15266 (GHSA-xwhf-g6j5-j5gc): a NaN turned into undefined behaviour in a float cast.
// NaN and Inf values are data, never indices: results follow IEEE arithmetic as TensorFlow's do.
TEST_F(Advisory, CVE_2020_15266_NaNAndInfAreDefinedResults) {
  Tensor x = filled({1, 2, 3, 1}, 1.0f);
  x.data()[0] = kNaN;  // row 0: NaN 1 1
  x.data()[4] = kInf;  // row 1: 1 Inf 1
  const Tensor w = filled({1, 1, 1, 1}, 0.0f);
  // 1x1 conv with weight 0: NaN * 0 = NaN, Inf * 0 = NaN, 1 * 0 = 0.
  const Tensor y = conv2d(x, w, nullptr);
  EXPECT_TRUE(std::isnan(y.data()[0]));
  EXPECT_TRUE(std::isnan(y.data()[4]));
  EXPECT_EQ(y.data()[1], 0.0f);
  Pool2DParams params;
  params.pool_size = {2, 1};
  params.strides = Pair2D{1, 1};
  const Tensor mx = max_pool2d(x, params), avg = avg_pool2d(x, params);
  ASSERT_EQ(mx.shape(), Shape({1, 1, 3, 1}));
  EXPECT_TRUE(std::isnan(mx.data()[0]));  // NaN propagates through max, as in TensorFlow
  EXPECT_EQ(mx.data()[1], kInf);
  EXPECT_EQ(mx.data()[2], 1.0f);
  EXPECT_TRUE(std::isnan(avg.data()[0]));
  EXPECT_EQ(avg.data()[1], kInf);
  const Tensor cli = expect_cli_output("pool --op max --pool 2,1 --strides 1 " + files(x));
  EXPECT_TRUE(std::isnan(cli.data()[0]));
  EXPECT_EQ(cli.data()[1], kInf);
  EXPECT_EQ(cli.data()[2], 1.0f);
}

// CVE-2022-29211: a NaN cast to an integer index crashed tf.histogram_fixed_width. Inf and NaN
// filters in depthwise and transposed convolutions, and float64 data beyond float32's range, give
// defined values (Inf, NaN) in exactly the outputs they reach.
TEST_F(Advisory, CVE_2022_29211_NaNInfFiltersAndOutOfRangeDoubles) {
  const Tensor x = filled({1, 3, 3, 2}, 1.0f);
  Tensor w = filled({1, 1, 2, 1}, 1.0f);
  w.data()[1] = kNaN;  // channel 1
  const Tensor dw = depthwise_conv2d(x, w, nullptr);
  for (std::int64_t p = 0; p < 9; ++p) {
    EXPECT_EQ(dw.data()[2 * p], 1.0f);
    EXPECT_TRUE(std::isnan(dw.data()[2 * p + 1]));
  }
  Tensor t = filled({1, 1, 1, 1}, 1.0f);
  Tensor up = filled({2, 2, 1, 1}, 1.0f);
  up.data()[3] = -kInf;
  Conv2DTransposeOptions options;
  options.params.strides = {2, 2};
  const Tensor tr = conv2d_transpose(t, up, nullptr, options);
  ASSERT_EQ(tr.shape(), Shape({1, 2, 2, 1}));
  EXPECT_EQ(tr.data()[0], 1.0f);
  EXPECT_EQ(tr.data()[3], -kInf);
  // A float64 .npy value of 1e300 rounds to +Inf, as NumPy's astype(float32) does.
  const double big[] = {1e300, -1e300, 2.0};
  std::string bytes = "\x93NUMPY";
  bytes += '\x01';
  bytes += '\0';
  const std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 3, 1), }\n";
  bytes += static_cast<char>(header.size());
  bytes += '\0';
  bytes += header;
  bytes.append(reinterpret_cast<const char*>(big), sizeof(big));
  save_bytes("x.npy", bytes);
  save("w.npy", filled({1, 1, 1, 1}, 1.0f));
  const cli_test::Result r = run(io_args());
  ASSERT_EQ(r.status, 0) << r.err;
  const Tensor y = io::read_npy(path("y.npy"));
  EXPECT_EQ(y.data()[0], kInf);
  EXPECT_EQ(y.data()[1], -kInf);
  EXPECT_EQ(y.data()[2], 2.0f);
}

// ---- The backward ops themselves (ops/backward.hpp) ------------------------------------------

// CVE-2021-29579 (GHSA-79fv-9865-4qcv): MaxPoolGrad wrote past its output when the gradient did
// not have the forward output's shape. Strider checks grad_output against geometry's output.
TEST_F(Advisory, CVE_2021_29579_MaxPoolGradMismatchedGradient) {
  Pool2DOptions options;
  options.params.pool_size = {2, 2};
  options.params.strides = {2, 2};
  const Tensor x = filled({1, 4, 4, 3}, 1.0f);
  for (const Shape& wrong : {Shape{1, 2, 2, 4}, Shape{1, 3, 2, 3}, Shape{2, 2, 2, 3}, Shape{0}}) {
    expect_refused<ShapeError>([&] { pool2d_backward(PoolOp::kMax, x, Tensor(wrong), options); },
                               {"grad_output must have the", "(1, 2, 2, 3)"});
    expect_refused<ShapeError>([&] { pool2d_backward(PoolOp::kAvg, x, Tensor(wrong), options); },
                               {"grad_output must have the", "(1, 2, 2, 3)"});
  }
  // An empty batch has an empty gradient, not a crash.
  EXPECT_EQ(
      pool2d_backward(PoolOp::kMax, Tensor({0, 4, 4, 3}), Tensor({0, 2, 2, 3}), options).shape(),
      (Shape{0, 4, 4, 3}));
}

// CVE-2021-29525 / CVE-2021-29538 (Conv2DBackpropInput / Filter divided by zero on empty shapes)
// on the real gradients: empty filters are refused, and an empty batch gives a zero filter
// gradient (every element written, none left uninitialised).
TEST_F(Advisory, CVE_2021_29538_Conv2DBackpropEmptyShapes) {
  expect_refused<ShapeError>(
      [] {
        conv2d_backward_input(Tensor({52, 1, 1, 0}), Tensor({0, 1, 5, 0}), {52, 1, 1, 5}, {});
      },
      {"conv2d_backward_input", ">= 1"});
  expect_refused<ShapeError>(
      [] {
        conv2d_backward_filter(Tensor({0, 0, 0, 0}), Tensor({0, 0, 0, 0}), {0, 0, 0, 0}, {});
      },
      {"conv2d_backward_filter"});
  const Tensor grad_filter =
      conv2d_backward_filter(Tensor({0, 5, 5, 2}), Tensor({0, 3, 3, 4}), {3, 3, 2, 4}, {});
  ASSERT_EQ(grad_filter.shape(), (Shape{3, 3, 2, 4}));
  for (const float v : grad_filter.values()) EXPECT_EQ(v, 0.0f);
  EXPECT_EQ(
      conv2d_backward_input(Tensor({0, 3, 3, 4}), filled({3, 3, 2, 4}, 1.0f), {0, 5, 5, 2}, {})
          .shape(),
      (Shape{0, 5, 5, 2}));
}

// CVE-2021-29540 (GHSA-xgc3-m89p-vr3x): Conv2DBackpropFilter overflowed the heap when
// filter_sizes disagreed with the input's channels; CVE-2021-29524 took a modulus by a zero
// channel count. Both are refused before any kernel runs.
TEST_F(Advisory, CVE_2021_29540_Conv2DBackpropFilterSizesDisagree) {
  const Tensor x = filled({1, 6, 6, 3}, 1.0f), dy = filled({1, 4, 4, 8}, 1.0f);
  expect_refused<ShapeError>(
      [&] {
        conv2d_backward_filter(x, dy, {3, 3, 2, 8}, {});
      },
      {"conv2d_backward_filter", "channels"});
  expect_refused<ShapeError>(
      [&] {
        conv2d_backward_filter(x, dy, {3, 3, 3, 7}, {});
      },
      {"grad_output must have the conv2d output shape (1, 4, 4, 7)"});
  expect_refused<ShapeError>(
      [&] {
        conv2d_backward_filter(x, dy, {3, 3, 0, 8}, {});
      },
      {"conv2d_backward_filter", ">= 1"});
  expect_refused<ShapeError>(
      [&] {
        conv2d_backward_input(dy, filled({3, 3, 3, 8}, 1.0f), {1, 6, 6, 2}, {});
      },
      {"conv2d_backward_input", "channels"});
}

// CVE-2021-29602 (DepthwiseConv2dNative divided by zero) and PYSEC-2022-120 (zero strides and
// dilations), on the depthwise gradients.
TEST_F(Advisory, CVE_2021_29602_DepthwiseBackpropZeroSizes) {
  DepthwiseConv2DOptions zero_stride;
  zero_stride.strides = {0, 1};
  expect_refused<InvalidArgument>(
      [&] {
        depthwise_conv2d_backward_input(Tensor({1, 4, 4, 2}), filled({3, 3, 2, 1}, 1.0f),
                                        {1, 6, 6, 2}, zero_stride);
      },
      {"depthwise_conv2d_backward_input", "stride must be >= 1, got 0"});
  DepthwiseConv2DOptions zero_dilation;
  zero_dilation.dilation = {1, 0};
  expect_refused<InvalidArgument>(
      [&] {
        depthwise_conv2d_backward_filter(filled({1, 6, 6, 2}, 1.0f), Tensor({1, 4, 4, 2}),
                                         {3, 3, 2, 1}, zero_dilation);
      },
      {"dilation"});
  expect_refused<InvalidArgument>(
      [] {
        depthwise_conv2d_backward_filter(Tensor({1, 6, 6, 2}), Tensor({1, 4, 4, 0}), {3, 3, 2, 0},
                                         {});
      },
      {"depthwise_conv2d_backward_filter", "depth_multiplier must be >= 1, got 0"});
}

// CVE-2021-29577 (GHSA-v6r6-84gr-92rm): AvgPool3DGrad read out of bounds for a gradient bigger
// than its output. The 2-D average-pool gradient divides by the count of real taps, and a window
// that lies wholly in the padding cannot exist, so no division by zero either.
TEST_F(Advisory, CVE_2021_29577_AvgPoolGradCountsOnlyRealTaps) {
  Pool2DOptions options;
  options.params.pool_size = {3, 3};
  options.params.strides = {1, 1};
  options.params.padding = Padding2D::same();
  const Tensor x = filled({1, 1, 1, 1}, 2.0f);
  const Tensor grad = pool2d_backward(PoolOp::kAvg, x, filled({1, 1, 1, 1}, 1.0f), options);
  ASSERT_EQ(grad.shape(), (Shape{1, 1, 1, 1}));
  EXPECT_EQ(grad.values()[0], 1.0f);  // one real tap: the whole gradient goes to it
  expect_refused<ShapeError>(
      [&] {
        pool2d_backward(PoolOp::kAvg, x, filled({1, 2, 2, 1}, 1.0f), options);
      },
      {"grad_output must have the"});
}

}  // namespace
}  // namespace strider::advisories
