#include "strider/model/resolve.hpp"

#include <gtest/gtest.h>

#include "strider/core/error.hpp"
#include "strider/model/spec.hpp"

// GCC 12 reports a false -Wrestrict inside std::string for this file at -O3 (a known GCC 12
// false positive with inlined string copies); nothing here overlaps.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif

namespace strider::model {
namespace {

ResolvedModel resolved(std::string_view spec, const Shape& input = {}) {
  return resolve(parse_model_spec(spec), input);
}

TEST(Resolve, ShapesParamsAndMacsAsKerasCountsThem) {
  const ResolvedModel m = resolved(
      "input(10,10,3); conv(32,3,strides=2); bn; dwconv(3,multiplier=2,padding=same);"
      "sepconv(8,3,bias=false); deconv(4,3,strides=2,padding=same); flatten; dense(5)");
  // The tutorial layer: 4x4x32, 3*3*3*32 + 32 = 896 parameters, 16 * 32 * 27 MACs.
  EXPECT_EQ(m.layers[1].output_shape, (Shape{4, 4, 32}));
  EXPECT_EQ(m.layers[1].params, 896);
  EXPECT_EQ(m.layers[1].macs, 4 * 4 * 32 * 27);
  // BatchNormalization: gamma and beta trainable, moving mean and variance not.
  EXPECT_EQ(m.layers[2].trainable_params, 64);
  EXPECT_EQ(m.layers[2].non_trainable_params, 64);
  EXPECT_EQ(m.layers[2].macs, 0);
  // Depthwise, multiplier 2: 3*3*32*2 + 64.
  EXPECT_EQ(m.layers[3].output_shape, (Shape{4, 4, 64}));
  EXPECT_EQ(m.layers[3].params, 3 * 3 * 32 * 2 + 64);
  // Separable without bias: depthwise 3*3*64 + pointwise 64*8; on 4x4 VALID -> 2x2.
  EXPECT_EQ(m.layers[4].output_shape, (Shape{2, 2, 8}));
  EXPECT_EQ(m.layers[4].params, 3 * 3 * 64 + 64 * 8);
  EXPECT_EQ(m.layers[4].macs, 2 * 2 * 64 * 9 + 2 * 2 * 64 * 8);
  // Transposed SAME stride 2 doubles: 4x4x4; 3*3*4*8 + 4.
  EXPECT_EQ(m.layers[5].output_shape, (Shape{4, 4, 4}));
  EXPECT_EQ(m.layers[5].params, 3 * 3 * 4 * 8 + 4);
  EXPECT_EQ(m.layers[6].output_shape, (Shape{64}));
  EXPECT_EQ(m.layers[7].params, 64 * 5 + 5);
  EXPECT_EQ(m.params, 896 + 128 + 640 + 576 + 512 + 292 + 325);
  EXPECT_EQ(m.trainable_params + m.non_trainable_params, m.params);
}

TEST(Resolve, WindowsComeFromGeometry) {
  const ResolvedModel m = resolved("input(7,8,1); conv(1,3,strides=2,padding=same)");
  ASSERT_TRUE(m.layers[1].height && m.layers[1].width);
  // Height 7 /2 SAME: 4 outputs, pads 1 and 1; width 8: 4 outputs, pads 0 and 1 (odd one after).
  EXPECT_EQ(m.layers[1].height->pad_before(), 1);
  EXPECT_EQ(m.layers[1].height->pad_after(), 1);
  EXPECT_EQ(m.layers[1].width->pad_before(), 0);
  EXPECT_EQ(m.layers[1].width->pad_after(), 1);
}

TEST(Resolve, InputOverrideKeepsChannels) {
  const Architecture a = parse_model_spec("input(28,28,1); conv(4,3); gap");
  EXPECT_EQ(resolve(a, {64, 48}).layers[1].output_shape, (Shape{62, 46, 4}));
  EXPECT_EQ(resolve(a, {64, 48, 3}).layers[1].params, 3 * 3 * 3 * 4 + 4);
}

TEST(Resolve, OneDimensionalAndMerges) {
  const ResolvedModel m = resolved(
      "input(50,4); c: conv1d(8,5,dilation=2,padding=causal); maxpool1d(2,padding=same);"
      "gap1d");
  EXPECT_EQ(m.layers[1].output_shape, (Shape{50, 8}));
  EXPECT_EQ(m.layers[2].output_shape, (Shape{25, 8}));
  EXPECT_EQ(m.layers[3].output_shape, (Shape{8}));
  const ResolvedModel b = resolved(
      "input(9,9,2); a: conv(2,3,padding=same); b: zeropad(1x0x0x0,from=input_layer);"
      "c: crop(0x1x0x0); s: add(input_layer, c); cat: concat(a, s, axis=3);"
      "rows: concat(a, s, axis=1); up: upsample(2x3)");
  EXPECT_EQ(b.layers[2].output_shape, (Shape{10, 9, 2}));
  EXPECT_EQ(b.layers[3].output_shape, (Shape{9, 9, 2}));
  EXPECT_EQ(b.layers[5].output_shape, (Shape{9, 9, 4}));
  EXPECT_EQ(b.layers[6].output_shape, (Shape{18, 9, 2}));
  EXPECT_EQ(b.layers[7].output_shape, (Shape{36, 27, 2}));
}

TEST(Resolve, SharedAndFrozenLayersCountAsKerasDoes) {
  Architecture a = parse_model_spec("input(6); d: dense(4); e: dense(4, from=input_layer)");
  a.layers[2].shares = "d";
  const ResolvedModel m = resolve(a);
  EXPECT_EQ(m.params, 6 * 4 + 4);
  a.layers[2].shares.clear();
  a.layers[1].trainable = false;
  const ResolvedModel f = resolve(a);
  EXPECT_EQ(f.non_trainable_params, 28);
  EXPECT_EQ(f.trainable_params, 28);
}

TEST(Resolve, ShapesThatDoNotFitNameTheLayer) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"input(4,4,1); c: conv(2,5)", "layer 'c' (Conv2D)"},
      {"input(8,8,3); g: conv(4,3,groups=2)", "groups (2) must divide the input channels (3)"},
      {"input(8,8,1); a: conv(2,3); s: add(input_layer, a)", "equal shapes"},
      {"input(8,8,1); a: conv(2,3); c: concat(input_layer, a)", "every axis but"},
      {"input(8,8,1); f: flatten; c: conv(2,3)", "expects input of rank 3"},
      {"input(4,4,1); c: crop(2x2x0x0)", "leaves nothing"},
      {"input(8,8,1); p: maxpool(3,padding=same); q: maxpool(16)", "layer 'q'"},
      {"input(8,8,1); d: deconv(2,3,strides=2,output_padding=2)", "output_padding"},
      {"input(3037000500,3037000500,1); conv(1,1)", "overflow"},
  };
  for (const auto& [spec, fragment] : cases) {
    try {
      resolved(spec);
      ADD_FAILURE() << "no error for " << spec;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos)
          << spec << "\n  got: " << e.what();
    }
  }
  EXPECT_THROW(resolve(parse_model_spec("input(8,8,1)"), {0, 8}), InvalidArgument);
}

}  // namespace
}  // namespace strider::model
