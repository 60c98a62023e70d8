// keras.applications' ResNet50, VGG16, MobileNetV2 and InceptionV3 (include_top=True, default input
// sizes), layer for layer with Keras's names, written as spec text. Keras lays out some of these
// for the default size only (MobileNetV2's stride-2 pads); the built-ins do the same.
#include <string>

#include "builtin_models.hpp"

namespace strider::model::builtins {
namespace {

// Keras's automatic name for the n-th unnamed layer with base name `base`: base, base_1, ...
std::string keras_name(std::string_view base, int n) {
  return n == 0 ? std::string(base) : fmt::format("{}_{}", base, n);
}

}  // namespace

Architecture resnet50() {
  SpecText s;
  s.add("input_layer: input(224,224,3)");
  s.add("conv1_pad: zeropad(3)");
  s.add("conv1_conv: conv(64,7,strides=2)");
  s.add("conv1_bn: bn");
  s.add("conv1_relu: relu");
  s.add("pool1_pad: zeropad(1)");
  s.add("pool1_pool: maxpool(3,strides=2)");

  // keras.applications.resnet's block1: a 1x1 / 3x3 / 1x1 bottleneck (the stride in the first
  // 1x1) added to a projection shortcut or to the block's input.
  const auto bottleneck = [&](const std::string& x, const std::string& name, int filters,
                              int stride, bool conv_shortcut) {
    std::string shortcut = x;
    if (conv_shortcut) {
      s.add("{}_0_conv: conv({},1,strides={},from={})", name, 4 * filters, stride, x);
      s.add("{}_0_bn: bn", name);
      shortcut = name + "_0_bn";
    }
    s.add("{}_1_conv: conv({},1,strides={},from={})", name, filters, stride, x);
    s.add("{}_1_bn: bn", name);
    s.add("{}_1_relu: relu", name);
    s.add("{}_2_conv: conv({},3,padding=same)", name, filters);
    s.add("{}_2_bn: bn", name);
    s.add("{}_2_relu: relu", name);
    s.add("{}_3_conv: conv({},1)", name, 4 * filters);
    s.add("{}_3_bn: bn", name);
    s.add("{}_add: add({}, {}_3_bn)", name, shortcut, name);
    s.add("{}_out: relu", name);
    return name + "_out";
  };
  // keras.applications.resnet's stack1: the first block strides and projects.
  const auto stack = [&](std::string x, const std::string& name, int filters, int blocks,
                         int stride) {
    x = bottleneck(x, name + "_block1", filters, stride, true);
    for (int b = 2; b <= blocks; ++b) {
      x = bottleneck(x, fmt::format("{}_block{}", name, b), filters, 1, false);
    }
    return x;
  };
  std::string x = "pool1_pool";
  x = stack(x, "conv2", 64, 3, 1);
  x = stack(x, "conv3", 128, 4, 2);
  x = stack(x, "conv4", 256, 6, 2);
  stack(x, "conv5", 512, 3, 2);
  s.add("avg_pool: gap");
  s.add("predictions: dense(1000,activation=softmax)");
  return s.parse("resnet50");
}

Architecture vgg16() {
  SpecText s;
  s.add("input_layer: input(224,224,3)");
  const int convs[] = {2, 2, 3, 3, 3};
  const int filters[] = {64, 128, 256, 512, 512};
  for (int b = 0; b < 5; ++b) {
    for (int c = 1; c <= convs[b]; ++c) {
      s.add("block{}_conv{}: conv({},3,padding=same,activation=relu)", b + 1, c, filters[b]);
    }
    s.add("block{}_pool: maxpool(2)", b + 1);
  }
  s.add("flatten: flatten");
  s.add("fc1: dense(4096,activation=relu)");
  s.add("fc2: dense(4096,activation=relu)");
  s.add("predictions: dense(1000,activation=softmax)");
  return s.parse("vgg16");
}

Architecture mobilenet_v2() {
  SpecText s;
  s.add("input_layer: input(224,224,3)");
  s.add("Conv1: conv(32,3,strides=2,padding=same,bias=false)");
  s.add("bn_Conv1: bn");
  s.add("Conv1_relu: relu6");

  // keras.applications.mobilenet_v2's _inverted_res_block: 1x1 expansion (not in block 0),
  // 3x3 depthwise (stride 2: explicit pad then valid), linear 1x1 projection, and a residual add
  // when the shape is kept.
  std::string x = "Conv1_relu";
  std::int64_t channels = 32;
  const auto inverted_residual = [&](int block_id, std::int64_t filters, int stride,
                                     int expansion) {
    const std::string prefix =
        block_id == 0 ? std::string("expanded_conv_") : fmt::format("block_{}_", block_id);
    const std::string input = x;
    if (block_id != 0) {
      s.add("{}expand: conv({},1,padding=same,bias=false)", prefix, expansion * channels);
      s.add("{}expand_BN: bn", prefix);
      s.add("{}expand_relu: relu6", prefix);
    }
    if (stride == 2) {
      // Keras's correct_pad for an even 224-based size: nothing before, one after.
      s.add("{}pad: zeropad(0x1x0x1)", prefix);
      s.add("{}depthwise: dwconv(3,strides=2,bias=false)", prefix);
    } else {
      s.add("{}depthwise: dwconv(3,padding=same,bias=false)", prefix);
    }
    s.add("{}depthwise_BN: bn", prefix);
    s.add("{}depthwise_relu: relu6", prefix);
    s.add("{}project: conv({},1,padding=same,bias=false)", prefix, filters);
    s.add("{}project_BN: bn", prefix);
    x = prefix + "project_BN";
    if (channels == filters && stride == 1) {
      s.add("{}add: add({}, {})", prefix, input, x);
      x = prefix + "add";
    }
    channels = filters;
  };
  struct Stage {
    std::int64_t filters;
    int blocks, stride, expansion;
  };
  const Stage stages[] = {{16, 1, 1, 1}, {24, 2, 2, 6},  {32, 3, 2, 6}, {64, 4, 2, 6},
                          {96, 3, 1, 6}, {160, 3, 2, 6}, {320, 1, 1, 6}};
  int block_id = 0;
  for (const Stage& stage : stages) {
    for (int b = 0; b < stage.blocks; ++b) {
      inverted_residual(block_id++, stage.filters, b == 0 ? stage.stride : 1, stage.expansion);
    }
  }
  s.add("Conv_1: conv(1280,1,bias=false)");
  s.add("Conv_1_bn: bn");
  s.add("out_relu: relu6");
  s.add("global_average_pooling2d: gap");
  s.add("predictions: dense(1000,activation=softmax)");
  return s.parse("mobilenet_v2");
}

Architecture inception_v3() {
  SpecText s;
  s.add("input_layer: input(299,299,3)");
  // Keras numbers unnamed layers per base name in the order they are created; conv2d_bn creates
  // conv2d_N, batch_normalization_N and activation_N together.
  int convs = 0, avg_pools = 0, max_pools = 0, concats = 0;
  const auto conv_bn = [&](const std::string& x, int filters, std::string_view kernel,
                           std::string_view options = "padding=same") {
    const int n = convs++;
    s.add("{}: conv({},{},{},bias=false,from={})", keras_name("conv2d", n), filters, kernel,
          options, x);
    s.add("{}: bn(scale=false)", keras_name("batch_normalization", n));
    s.add("{}: relu", keras_name("activation", n));
    return keras_name("activation", n);
  };
  const auto avg_pool = [&](const std::string& x) {
    const std::string name = keras_name("average_pooling2d", avg_pools++);
    s.add("{}: avgpool(3,strides=1,padding=same,from={})", name, x);
    return name;
  };
  const auto max_pool = [&](const std::string& x) {
    const std::string name = keras_name("max_pooling2d", max_pools++);
    s.add("{}: maxpool(3,strides=2,from={})", name, x);
    return name;
  };
  const std::string_view valid = "padding=valid";
  const std::string_view valid_2 = "strides=2,padding=valid";

  std::string x = conv_bn("input_layer", 32, "3", valid_2);
  x = conv_bn(x, 32, "3", valid);
  x = conv_bn(x, 64, "3");
  x = max_pool(x);
  x = conv_bn(x, 80, "1", valid);
  x = conv_bn(x, 192, "3", valid);
  x = max_pool(x);

  // mixed0-2: 1x1 | 1x1 -> 5x5 | 1x1 -> 3x3 -> 3x3 | avg pool -> 1x1.
  const auto block_35 = [&](const std::string& in, int pool_filters, int index) {
    const std::string b0 = conv_bn(in, 64, "1");
    const std::string b1 = conv_bn(conv_bn(in, 48, "1"), 64, "5");
    const std::string b2 = conv_bn(conv_bn(conv_bn(in, 64, "1"), 96, "3"), 96, "3");
    const std::string b3 = conv_bn(avg_pool(in), pool_filters, "1");
    s.add("mixed{}: concat({}, {}, {}, {})", index, b0, b1, b2, b3);
    return fmt::format("mixed{}", index);
  };
  // mixed4-7: 1x1 | 1x1 -> 1x7 -> 7x1 | 1x1 -> 7x1 -> 1x7 -> 7x1 -> 1x7 | avg pool -> 1x1.
  const auto block_17 = [&](const std::string& in, int c, int index) {
    const std::string b0 = conv_bn(in, 192, "1");
    const std::string b1 = conv_bn(conv_bn(conv_bn(in, c, "1"), c, "1x7"), 192, "7x1");
    std::string b2 = conv_bn(conv_bn(conv_bn(in, c, "1"), c, "7x1"), c, "1x7");
    b2 = conv_bn(conv_bn(b2, c, "7x1"), 192, "1x7");
    const std::string b3 = conv_bn(avg_pool(in), 192, "1");
    s.add("mixed{}: concat({}, {}, {}, {})", index, b0, b1, b2, b3);
    return fmt::format("mixed{}", index);
  };
  // mixed9-10: 1x1 | 1x1 -> (1x3, 3x1) | 1x1 -> 3x3 -> (1x3, 3x1) | avg pool -> 1x1.
  const auto block_8 = [&](const std::string& in, int i) {
    const std::string b0 = conv_bn(in, 320, "1");
    const std::string b1_in = conv_bn(in, 384, "1");
    const std::string b1_a = conv_bn(b1_in, 384, "1x3");
    const std::string b1_b = conv_bn(b1_in, 384, "3x1");
    const std::string b1 = fmt::format("mixed9_{}", i);
    s.add("{}: concat({}, {})", b1, b1_a, b1_b);
    const std::string b2_in = conv_bn(conv_bn(in, 448, "1"), 384, "3");
    const std::string b2_a = conv_bn(b2_in, 384, "1x3");
    const std::string b2_b = conv_bn(b2_in, 384, "3x1");
    const std::string b2 = keras_name("concatenate", concats++);
    s.add("{}: concat({}, {})", b2, b2_a, b2_b);
    const std::string b3 = conv_bn(avg_pool(in), 192, "1");
    s.add("mixed{}: concat({}, {}, {}, {})", 9 + i, b0, b1, b2, b3);
    return fmt::format("mixed{}", 9 + i);
  };

  x = block_35(x, 32, 0);
  x = block_35(x, 64, 1);
  x = block_35(x, 64, 2);
  {  // mixed3: 3x3 stride 2 | 1x1 -> 3x3 -> 3x3 stride 2 | max pool.
    const std::string b0 = conv_bn(x, 384, "3", valid_2);
    const std::string b1 = conv_bn(conv_bn(conv_bn(x, 64, "1"), 96, "3"), 96, "3", valid_2);
    const std::string b2 = max_pool(x);
    s.add("mixed3: concat({}, {}, {})", b0, b1, b2);
    x = "mixed3";
  }
  x = block_17(x, 128, 4);
  x = block_17(x, 160, 5);
  x = block_17(x, 160, 6);
  x = block_17(x, 192, 7);
  {  // mixed8: 1x1 -> 3x3 stride 2 | 1x1 -> 1x7 -> 7x1 -> 3x3 stride 2 | max pool.
    const std::string b0 = conv_bn(conv_bn(x, 192, "1"), 320, "3", valid_2);
    std::string b1 = conv_bn(conv_bn(conv_bn(x, 192, "1"), 192, "1x7"), 192, "7x1");
    b1 = conv_bn(b1, 192, "3", valid_2);
    const std::string b2 = max_pool(x);
    s.add("mixed8: concat({}, {}, {})", b0, b1, b2);
    x = "mixed8";
  }
  x = block_8(x, 0);
  block_8(x, 1);
  s.add("avg_pool: gap");
  s.add("predictions: dense(1000,activation=softmax)");
  return s.parse("inception_v3");
}

}  // namespace strider::model::builtins
