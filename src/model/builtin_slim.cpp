// TF-Slim's alexnet_v2, vgg_16, mobilenet_v1, resnet_v1_50 and inception_v3 as
// google-research/receptive_field's rf_benchmark builds them: the base networks without classifier
// or global pool. Layers are named by their TF-Slim scope below the network's own (`conv1`,
// `block1/unit_1/bottleneck_v1/conv1/Relu`) and carry TF-Slim's end point names (the tensors
// TF-Slim collects: after the activation, prefixed by the network's scope where TF-Slim does).
// Normalisation, biases and activations follow each net's own arg_scope (the released checkpoints):
// alexnet_v2 and vgg_16 convolve with bias and ReLU; mobilenet_v1 (ReLU6), resnet_v1_50 and
// inception_v3 use batch norm instead of a bias. None of that changes geometry. Written as spec
// text.
#include <string>

#include "builtin_models.hpp"

namespace strider::model::builtins {

Architecture alexnet_v2() {
  SpecText s;
  s.add("input: input(224,224,3)");
  // One layer, end point `alexnet_v2/<scope>`.
  const auto layer = [&](std::string_view scope, std::string_view word, std::string_view args) {
    s.add("{0}: {1}({2},end_point=alexnet_v2/{0})", scope, word, args);
  };
  layer("conv1", "conv", "64,11,strides=4,activation=relu");
  layer("pool1", "maxpool", "3,strides=2");
  layer("conv2", "conv", "192,5,padding=same,activation=relu");
  layer("pool2", "maxpool", "3,strides=2");
  layer("conv3", "conv", "384,3,padding=same,activation=relu");
  layer("conv4", "conv", "384,3,padding=same,activation=relu");
  layer("conv5", "conv", "256,3,padding=same,activation=relu");
  layer("pool5", "maxpool", "3,strides=2");
  layer("fc6", "conv", "4096,5,activation=relu");
  s.add("dropout6: dropout(0.5)");
  layer("fc7", "conv", "4096,1,padding=same,activation=relu");
  return s.parse("alexnet_v2");
}

Architecture vgg_16() {
  SpecText s;
  s.add("input: input(224,224,3)");
  const int convs[] = {2, 2, 3, 3, 3};
  const int filters[] = {64, 128, 256, 512, 512};
  for (int b = 1; b <= 5; ++b) {
    // slim.repeat names the convolutions convB/convB_1 ... convB/convB_n.
    for (int c = 1; c <= convs[b - 1]; ++c) {
      s.add(
          "conv{0}/conv{0}_{1}: conv({2},3,padding=same,activation=relu,"
          "end_point=vgg_16/conv{0}/conv{0}_{1})",
          b, c, filters[b - 1]);
    }
    s.add("pool{0}: maxpool(2,end_point=vgg_16/pool{0})", b);
  }
  s.add("fc6: conv(4096,7,activation=relu,end_point=vgg_16/fc6)");
  s.add("dropout6: dropout(0.5)");
  s.add("fc7: conv(4096,1,padding=same,activation=relu,end_point=vgg_16/fc7)");
  return s.parse("vgg_16");
}

Architecture mobilenet_v1() {
  SpecText s;
  s.add("input: input(224,224,3)");
  // One conv_def: the layer, its batch norm and ReLU6, which carries the end point.
  const auto conv_bn = [&](const std::string& end_point, std::string_view item) {
    s.add("{}: {}", end_point, item);
    s.add("{}/BatchNorm: bn", end_point);
    s.add("{0}/Relu6: relu6(end_point={0})", end_point);
  };
  conv_bn("Conv2d_0", "conv(32,3,strides=2,padding=same,bias=false)");
  struct DepthSep {
    int stride, depth;
  };
  const DepthSep defs[] = {{1, 64},  {2, 128}, {1, 128}, {2, 256}, {1, 256},  {2, 512}, {1, 512},
                           {1, 512}, {1, 512}, {1, 512}, {1, 512}, {2, 1024}, {1, 1024}};
  int i = 1;
  for (const DepthSep& d : defs) {
    conv_bn(fmt::format("Conv2d_{}_depthwise", i),
            fmt::format("dwconv(3,strides={},padding=same,bias=false)", d.stride));
    conv_bn(fmt::format("Conv2d_{}_pointwise", i),
            fmt::format("conv({},1,padding=same,bias=false)", d.depth));
    ++i;
  }
  return s.parse("mobilenet_v1");
}

Architecture resnet_v1_50() {
  SpecText s;
  s.add("input: input(224,224,3)");
  // resnet_utils.conv2d_same: stride 1 is a SAME convolution; a larger stride pads k - 1 (more
  // after when odd) explicitly and convolves VALID, whatever the input size.
  const auto conv2d_same = [&](const std::string& scope, const std::string& pad_name, int filters,
                               int kernel, int stride) {
    if (stride == 1) {
      s.add("{}: conv({},{},padding=same,bias=false)", scope, filters, kernel);
      return;
    }
    const int before = (kernel - 1) / 2, after = kernel - 1 - before;
    s.add("{}: zeropad({}x{}x{}x{})", pad_name, before, after, before, after);
    s.add("{}: conv({},{},strides={},bias=false)", scope, filters, kernel, stride);
  };
  conv2d_same("conv1", "Pad", 64, 7, 2);
  s.add("conv1/BatchNorm: bn");
  s.add("conv1/Relu: relu(end_point=resnet_v1_50/conv1)");
  s.add("pool1: maxpool(3,strides=2,padding=same)");

  std::string x = "pool1";
  std::int64_t depth_in = 64;
  // resnet_v1.bottleneck: 1x1 / 3x3 (carrying the stride) / 1x1 added to the input (subsampled
  // by a 1x1 max pool when strided) or to a 1x1 projection when the depth changes.
  const auto bottleneck = [&](const std::string& unit, int base, int stride) {
    const std::string p = unit + "/bottleneck_v1";
    const std::int64_t depth = 4 * base;
    std::string shortcut = x;
    if (depth != depth_in) {
      s.add("{0}/shortcut: conv({1},1,strides={2},bias=false,from={3})", p, depth, stride, x);
      s.add("{0}/shortcut/BatchNorm: bn(end_point=resnet_v1_50/{0}/shortcut)", p);
      shortcut = p + "/shortcut/BatchNorm";
    } else if (stride != 1) {
      s.add("{}/shortcut: maxpool(1,strides={},padding=same,from={})", p, stride, x);
      shortcut = p + "/shortcut";
    }
    s.add("{}/conv1: conv({},1,bias=false,from={})", p, base, x);
    s.add("{}/conv1/BatchNorm: bn", p);
    s.add("{0}/conv1/Relu: relu(end_point=resnet_v1_50/{0}/conv1)", p);
    conv2d_same(p + "/conv2", p + "/Pad", base, 3, stride);
    s.add("{}/conv2/BatchNorm: bn", p);
    s.add("{0}/conv2/Relu: relu(end_point=resnet_v1_50/{0}/conv2)", p);
    s.add("{}/conv3: conv({},1,bias=false)", p, depth);
    s.add("{0}/conv3/BatchNorm: bn(end_point=resnet_v1_50/{0}/conv3)", p);
    s.add("{0}/add: add({1}, {0}/conv3/BatchNorm)", p, shortcut);
    s.add("{0}/Relu: relu(end_point=resnet_v1_50/{0})", p);
    x = p + "/Relu";
    depth_in = depth;
  };
  struct Block {
    int base, units, stride;
  };
  const Block blocks[] = {{64, 3, 2}, {128, 4, 2}, {256, 6, 2}, {512, 3, 1}};
  int b = 1;
  for (const Block& block : blocks) {
    const std::string scope = fmt::format("block{}", b++);
    // TF-Slim strides in the last unit of a block.
    for (int u = 1; u <= block.units; ++u) {
      bottleneck(fmt::format("{}/unit_{}", scope, u), block.base,
                 u == block.units ? block.stride : 1);
    }
    // The block's end point is its last unit's output; a layer has one end point name, so an
    // identity layer carries the block's.
    s.add("{0}: activation(linear,end_point=resnet_v1_50/{0})", scope);
    x = scope;
  }
  return s.parse("resnet_v1_50");
}

Architecture inception_v3_slim() {
  SpecText s;
  s.add("input: input(299,299,3)");
  // slim.conv2d under inception_v3_arg_scope: convolution, batch norm (no scale), ReLU (the
  // collected tensor). `scope` is below InceptionV3; `options` adds to the layer's arguments.
  const auto conv = [&](const std::string& scope, const std::string& x, int filters,
                        std::string_view kernel, std::string_view options = "padding=same",
                        std::string_view end_point = {}) {
    s.add("{}: conv({},{},{},bias=false,from={})", scope, filters, kernel, options, x);
    s.add("{}/BatchNorm: bn(scale=false)", scope);
    if (end_point.empty()) {
      s.add("{}/Relu: relu", scope);
    } else {
      s.add("{}/Relu: relu(end_point={})", scope, end_point);
    }
    return scope + "/Relu";
  };
  const auto pool = [&](std::string_view kind, const std::string& scope, const std::string& x,
                        std::string_view options, std::string_view end_point = {}) {
    if (end_point.empty()) {
      s.add("{}: {}(3,{},from={})", scope, kind, options, x);
    } else {
      s.add("{}: {}(3,{},from={},end_point={})", scope, kind, options, x, end_point);
    }
    return scope;
  };
  const std::string_view valid = "padding=valid";
  const std::string_view valid_2 = "strides=2,padding=valid";
  const std::string_view same_1 = "strides=1,padding=same";

  // Stem: VALID unless stated, every layer an end point.
  std::string x = "input";
  const auto stem = [&](const std::string& end_point, int filters, std::string_view kernel,
                        std::string_view options) {
    x = conv(end_point, x, filters, kernel, options, end_point);
  };
  stem("Conv2d_1a_3x3", 32, "3", valid_2);
  stem("Conv2d_2a_3x3", 32, "3", valid);
  stem("Conv2d_2b_3x3", 64, "3", "padding=same");
  x = pool("maxpool", "MaxPool_3a_3x3", x, valid_2, "MaxPool_3a_3x3");
  stem("Conv2d_3b_1x1", 80, "1", valid);
  stem("Conv2d_4a_3x3", 192, "3", valid);
  x = pool("maxpool", "MaxPool_5a_3x3", x, valid_2, "MaxPool_5a_3x3");

  // Mixed blocks: stride 1 SAME unless stated; the end point is the channel concat of the
  // branches, Branch_0 first.
  const auto mixed = [&](const std::string& name, const std::string& b0, const std::string& b1,
                         const std::string& b2, const std::string& b3 = {}) {
    if (b3.empty()) {
      s.add("{0}: concat({1}, {2}, {3}, end_point={0})", name, b0, b1, b2);
    } else {
      s.add("{0}: concat({1}, {2}, {3}, {4}, end_point={0})", name, b0, b1, b2, b3);
    }
    x = name;
  };
  // Mixed_5b-5d: 1x1 | 1x1 -> 5x5 | 1x1 -> 3x3 -> 3x3 | avg pool -> 1x1 (Mixed_5c's 5x5 branch
  // has its own scope names in TF-Slim).
  const auto block_35 = [&](const std::string& name, bool odd_names, int pool_filters) {
    const std::string b = name + "/Branch_";
    const std::string b0 = conv(b + "0/Conv2d_0a_1x1", x, 64, "1");
    const std::string b1 =
        odd_names ? conv(b + "1/Conv_1_0c_5x5", conv(b + "1/Conv2d_0b_1x1", x, 48, "1"), 64, "5")
                  : conv(b + "1/Conv2d_0b_5x5", conv(b + "1/Conv2d_0a_1x1", x, 48, "1"), 64, "5");
    std::string b2 = conv(b + "2/Conv2d_0a_1x1", x, 64, "1");
    b2 = conv(b + "2/Conv2d_0c_3x3", conv(b + "2/Conv2d_0b_3x3", b2, 96, "3"), 96, "3");
    const std::string b3 =
        conv(b + "3/Conv2d_0b_1x1", pool("avgpool", b + "3/AvgPool_0a_3x3", x, same_1),
             pool_filters, "1");
    mixed(name, b0, b1, b2, b3);
  };
  // Mixed_6b-6e: 1x1 | 1x1 -> 1x7 -> 7x1 | 1x1 -> 7x1 -> 1x7 -> 7x1 -> 1x7 | avg pool -> 1x1.
  const auto block_17 = [&](const std::string& name, int c) {
    const std::string b = name + "/Branch_";
    const std::string b0 = conv(b + "0/Conv2d_0a_1x1", x, 192, "1");
    std::string b1 = conv(b + "1/Conv2d_0a_1x1", x, c, "1");
    b1 = conv(b + "1/Conv2d_0c_7x1", conv(b + "1/Conv2d_0b_1x7", b1, c, "1x7"), 192, "7x1");
    std::string b2 = conv(b + "2/Conv2d_0a_1x1", x, c, "1");
    b2 = conv(b + "2/Conv2d_0c_1x7", conv(b + "2/Conv2d_0b_7x1", b2, c, "7x1"), c, "1x7");
    b2 = conv(b + "2/Conv2d_0e_1x7", conv(b + "2/Conv2d_0d_7x1", b2, c, "7x1"), 192, "1x7");
    const std::string b3 =
        conv(b + "3/Conv2d_0b_1x1", pool("avgpool", b + "3/AvgPool_0a_3x3", x, same_1), 192, "1");
    mixed(name, b0, b1, b2, b3);
  };
  // Mixed_7b-7c: 1x1 | 1x1 -> (1x3, 3x1) | 1x1 -> 3x3 -> (1x3, 3x1) | avg pool -> 1x1.
  const auto block_8 = [&](const std::string& name, std::string_view b1_3x1_scope) {
    const std::string b = name + "/Branch_";
    const std::string b0 = conv(b + "0/Conv2d_0a_1x1", x, 320, "1");
    const std::string b1_in = conv(b + "1/Conv2d_0a_1x1", x, 384, "1");
    const std::string b1_a = conv(b + "1/Conv2d_0b_1x3", b1_in, 384, "1x3");
    const std::string b1_b = conv(fmt::format("{}1/{}", b, b1_3x1_scope), b1_in, 384, "3x1");
    s.add("{}1/concat: concat({}, {})", b, b1_a, b1_b);
    std::string b2 = conv(b + "2/Conv2d_0a_1x1", x, 448, "1");
    b2 = conv(b + "2/Conv2d_0b_3x3", b2, 384, "3");
    const std::string b2_a = conv(b + "2/Conv2d_0c_1x3", b2, 384, "1x3");
    const std::string b2_b = conv(b + "2/Conv2d_0d_3x1", b2, 384, "3x1");
    s.add("{}2/concat: concat({}, {})", b, b2_a, b2_b);
    const std::string b3 =
        conv(b + "3/Conv2d_0b_1x1", pool("avgpool", b + "3/AvgPool_0a_3x3", x, same_1), 192, "1");
    mixed(name, b0, b + "1/concat", b + "2/concat", b3);
  };

  block_35("Mixed_5b", false, 32);
  block_35("Mixed_5c", true, 64);
  block_35("Mixed_5d", false, 64);
  {  // Mixed_6a: 3x3 stride 2 | 1x1 -> 3x3 -> 3x3 stride 2 | max pool stride 2 (all VALID).
    const std::string b0 = conv("Mixed_6a/Branch_0/Conv2d_1a_1x1", x, 384, "3", valid_2);
    std::string b1 = conv("Mixed_6a/Branch_1/Conv2d_0a_1x1", x, 64, "1");
    b1 = conv("Mixed_6a/Branch_1/Conv2d_0b_3x3", b1, 96, "3");
    b1 = conv("Mixed_6a/Branch_1/Conv2d_1a_1x1", b1, 96, "3", valid_2);
    const std::string b2 = pool("maxpool", "Mixed_6a/Branch_2/MaxPool_1a_3x3", x, valid_2);
    mixed("Mixed_6a", b0, b1, b2);
  }
  block_17("Mixed_6b", 128);
  block_17("Mixed_6c", 160);
  block_17("Mixed_6d", 160);
  block_17("Mixed_6e", 192);
  {  // Mixed_7a: 1x1 -> 3x3 stride 2 | 1x1 -> 1x7 -> 7x1 -> 3x3 stride 2 | max pool stride 2.
    std::string b0 = conv("Mixed_7a/Branch_0/Conv2d_0a_1x1", x, 192, "1");
    b0 = conv("Mixed_7a/Branch_0/Conv2d_1a_3x3", b0, 320, "3", valid_2);
    std::string b1 = conv("Mixed_7a/Branch_1/Conv2d_0a_1x1", x, 192, "1");
    b1 = conv("Mixed_7a/Branch_1/Conv2d_0b_1x7", b1, 192, "1x7");
    b1 = conv("Mixed_7a/Branch_1/Conv2d_0c_7x1", b1, 192, "7x1");
    b1 = conv("Mixed_7a/Branch_1/Conv2d_1a_3x3", b1, 192, "3", valid_2);
    const std::string b2 = pool("maxpool", "Mixed_7a/Branch_2/MaxPool_1a_3x3", x, valid_2);
    mixed("Mixed_7a", b0, b1, b2);
  }
  block_8("Mixed_7b", "Conv2d_0b_3x1");
  block_8("Mixed_7c", "Conv2d_0c_3x1");
  return s.parse("inception_v3_slim");
}

}  // namespace strider::model::builtins
