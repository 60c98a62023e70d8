#include "strider/analysis/receptive_field.hpp"

#include <gtest/gtest.h>

#include "strider/model/spec.hpp"

namespace strider::analysis {
namespace {

std::optional<Field> last_field(std::string_view spec) {
  const model::ResolvedModel m = model::resolve(model::parse_model_spec(spec));
  return receptive_fields(m).back();
}

TEST(ReceptiveField, PlainStackComposes) {
  // 3x3 s1 -> 2x2 s2 pool -> 3x3 s2 SAME on 12 (pads 0 before, 1 after): field 3, 4, 4 + 2*2.
  const auto f =
      last_field("input(26,26,1); conv(4,3); maxpool(2); conv(4,3,strides=2,padding=same)");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->height, (AxisField{8, 4, 0}));
  EXPECT_EQ(f->width, f->height);
}

// The test networks of google-research/receptive_field, with their published answers.
TEST(ReceptiveField, BranchesKeepTheLargestField) {
  // Net 1: relu(conv1x1/4 (x) + conv1x1/2 (conv3x3/2 (pad[1,0] (x)))): 3, 4, 1.
  constexpr std::string_view net1 =
      "input(8,8,1); l1: conv(1,1,strides=4,from=input_layer); zeropad(1x0x1x0,from=input_layer);"
      "conv(1,3,strides=2); l3: conv(1,1,strides=2); add(l1,l3); l4: relu";
  const auto f1 = last_field(net1);
  ASSERT_TRUE(f1);
  EXPECT_EQ(f1->height, (AxisField{3, 4, 1}));
  // Net 8: net 1, then conv1x1/2 (l4) + conv3x3/2 (pad[1,0] (l4)): 11, 8, 5.
  const std::string net8 = std::string(net1) +
                           "; l5: conv(1,1,strides=2,from=l4); zeropad(1x0x1x0,from=l4);"
                           "l6: conv(1,3,strides=2); add(l5,l6)";
  const auto f8 = last_field(net8);
  ASSERT_TRUE(f8);
  EXPECT_EQ(f8->height, (AxisField{11, 8, 5}));
  EXPECT_EQ(f8->width, (AxisField{11, 8, 5}));
}

TEST(ReceptiveField, MergesKeepTheLargestFieldPerAxis) {
  // Inception's 1x3 / 3x1 pair: the concat sees three rows (from 3x1) and three columns (1x3).
  const auto f = last_field(
      "input(9,9,1); a: conv(1,1x3,padding=same); "
      "b: conv(1,3x1,padding=same,from=input_layer); concat(a,b)");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->height, (AxisField{3, 1, 1}));
  EXPECT_EQ(f->width, (AxisField{3, 1, 1}));
}

TEST(ReceptiveField, UnequalKernelsPerAxis) {
  // Net 5: conv [3,5] /2 VALID -> conv [3,1] /2 VALID: height 7, width 5, stride 4, padding 0.
  const auto f = last_field("input(33,33,1); conv(1,3x5,strides=2); conv(1,3x1,strides=2)");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->height, (AxisField{7, 4, 0}));
  EXPECT_EQ(f->width, (AxisField{5, 4, 0}));
}

TEST(ReceptiveField, DilationUsesTheDilatedExtent) {
  const auto f = last_field("input(20,20,1); conv(1,3,dilation=2); conv(1,3,dilation=4)");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->height, (AxisField{1 + 4 + 8, 1, 0}));
}

TEST(ReceptiveField, PaddingAndCroppingShiftTheField) {
  const auto f = last_field("input(10,10,1); zeropad(2x3); conv(1,3); crop(1x0x0x0)");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->height, (AxisField{3, 1, 2 - 1}));
  EXPECT_EQ(f->width, (AxisField{3, 1, 3}));
}

TEST(ReceptiveField, GlobalPoolingSeesTheWholeMap) {
  const auto f = last_field("input(9,9,1); conv(2,3,strides=2); gap; dense(3)");
  ASSERT_TRUE(f);
  // conv: 3, 2, 0 over a 4x4 map; the pool's window is 4 wide: 3 + 3 * 2 = 9.
  EXPECT_EQ(f->height, (AxisField{9, 8, 0}));
}

TEST(ReceptiveField, UndefinedAfterUpsampling) {
  const model::ResolvedModel m = model::resolve(
      model::parse_model_spec("input(8,8,1); conv(2,3); upsample(2); conv(2,3); gap"));
  const auto fields = receptive_fields(m);
  EXPECT_TRUE(fields[1].has_value());
  EXPECT_FALSE(fields[2].has_value());
  EXPECT_FALSE(fields[4].has_value());
}

TEST(ReceptiveField, OneDimensionalLayersUseTheWidth) {
  const auto f = last_field("input(50,4); conv1d(8,5,dilation=2,padding=causal); maxpool1d(2)");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->height, (AxisField{1, 1, 0}));
  EXPECT_EQ(f->width, (AxisField{10, 2, 8}));
}

}  // namespace
}  // namespace strider::analysis
