#include "strider/model/spec.hpp"

#include <gtest/gtest.h>

#include "strider/core/error.hpp"

namespace strider::model {
namespace {

TEST(ModelSpec, ParsesLayersWithKerasDefaultsAndNames) {
  const Architecture a = parse_model_spec(
      "input(28,28,1)  # Fashion-MNIST\n"
      "conv(32, 3, strides=2, padding=same, activation=relu)\n"
      "maxpool(2); conv(64,3x1,dilation=2x1,groups=2,bias=false)\n"
      "gap; dropout(0.25); dense(10, activation=softmax)");
  ASSERT_EQ(a.layers.size(), 7u);
  EXPECT_EQ(a.layers[0].name, "input_layer");
  EXPECT_EQ(a.layers[0].input_shape, (Shape{28, 28, 1}));
  const LayerSpec& c = a.layers[1];
  EXPECT_EQ(c.name, "conv2d");
  EXPECT_EQ(c.kind, LayerKind::kConv2D);
  EXPECT_EQ(c.filters, 32);
  EXPECT_EQ(c.kernel_size, (Pair2D{3, 3}));
  EXPECT_EQ(c.effective_strides(), (Pair2D{2, 2}));
  EXPECT_EQ(c.padding.kind, PaddingKind::kSame);
  EXPECT_EQ(c.activation, "relu");
  EXPECT_EQ(a.layers[2].effective_strides(), (Pair2D{2, 2}));  // pooling: the pool size
  const LayerSpec& c2 = a.layers[3];
  EXPECT_EQ(c2.name, "conv2d_1");
  EXPECT_EQ(c2.kernel_size, (Pair2D{3, 1}));
  EXPECT_EQ(c2.dilation, (Pair2D{2, 1}));
  EXPECT_EQ(c2.groups, 2);
  EXPECT_FALSE(c2.use_bias);
  EXPECT_EQ(c2.effective_strides(), (Pair2D{1, 1}));
  EXPECT_EQ(a.layers[5].rate, 0.25);
  EXPECT_EQ(a.layers[6].name, "dense");
}

TEST(ModelSpec, NamesBranchesAndMerges) {
  const Architecture a = parse_model_spec(
      "input(8,8,4); a: conv(4,3,padding=same); b: conv(4,1,from=input_layer); s: add(a, b);"
      "cat: concat(a, s, axis=-1)");
  EXPECT_EQ(a.input_indices(2), (std::vector<std::size_t>{0}));
  EXPECT_EQ(a.input_indices(3), (std::vector<std::size_t>{1, 2}));
  EXPECT_EQ(a.input_indices(4), (std::vector<std::size_t>{1, 3}));
}

TEST(ModelSpec, AutomaticNamesSkipNamesInUse) {
  const Architecture a = parse_model_spec("input(8,8,1); conv2d: conv(2,3); conv(2,3)");
  EXPECT_EQ(a.layers[2].name, "conv2d_1");
}

TEST(ModelSpec, PaddingAmountForms) {
  const Architecture a =
      parse_model_spec("input(8,8,1); zeropad(1); zeropad(1x2); zeropad(1x2x3x4); crop(1x0x0x2)");
  EXPECT_EQ(a.layers[1].padding.to_string(), "1,1,1,1");
  EXPECT_EQ(a.layers[2].padding.to_string(), "1,1,2,2");
  EXPECT_EQ(a.layers[3].padding.to_string(), "1,2,3,4");
  EXPECT_EQ(a.layers[4].padding.to_string(), "1,0,0,2");
}

TEST(ModelSpec, FormatRoundTrips) {
  const Architecture a = parse_model_spec(
      "input(32,32,3); c: conv(8,3,strides=2x1,padding=same,dilation=1x2,activation=relu);"
      "dwconv(3,multiplier=2,bias=false); sepconv(16,5,padding=same); deconv(4,3,strides=2,"
      "output_padding=1); bn(center=false); maxpool(3,strides=2,padding=same);"
      "p: avgpool(2); q: conv(4,1,from=c,end_point=net/q); upsample(2x1); flatten;"
      "dropout(0.5); dense(10,activation=softmax,bias=false)");
  const std::string text = format_model_spec(a);
  const Architecture b = parse_model_spec(text);
  EXPECT_EQ(format_model_spec(b), text);
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    EXPECT_EQ(a.layers[i].name, b.layers[i].name);
    EXPECT_EQ(a.layers[i].kind, b.layers[i].kind);
    EXPECT_EQ(a.input_indices(i), b.input_indices(i)) << a.layers[i].name;
  }
  EXPECT_EQ(b.layers[8].end_point, "net/q");
  EXPECT_NE(text.find("c: conv(8, 3, strides=2x1, padding=same, dilation=1x2, activation=relu)"),
            std::string::npos)
      << text;
}

// Keras allows any layer name; one the grammar cannot write back is refused by name rather than
// written as text that no longer parses (a checkpoint of it could not be resumed).
TEST(ModelSpec, FormatRefusesNamesTheGrammarCannotWrite) {
  Architecture a = parse_model_spec("input(8,8,1); c: conv(2,3); flatten; dense(10)", "m");
  a.layers[1].name = "my conv";
  try {
    (void)format_model_spec(a);
    FAIL() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("layer name 'my conv'"), std::string::npos) << e.what();
  }
}

// Found by the model_spec fuzzer: equal explicit conv pads were written as `padding=0`, which the
// parser (wanting an `x` for conv amounts) refused.
TEST(ModelSpec, EqualExplicitConvPadsRoundTrip) {
  for (const char* padding : {"0x0", "1x1", "2x2x2x2", "1x2"}) {
    const Architecture a =
        parse_model_spec(std::string("input(9,9,1); conv(1,3,strides=2,padding=") + padding + ")");
    const Architecture b = parse_model_spec(format_model_spec(a));
    EXPECT_EQ(b.layers[1].padding.top, a.layers[1].padding.top) << padding;
    EXPECT_EQ(b.layers[1].padding.left, a.layers[1].padding.left) << padding;
    EXPECT_EQ(b.layers[1].padding.kind, a.layers[1].padding.kind) << padding;
  }
}

// Each mistake names the item and the rule.
TEST(ModelSpec, BadSpecsNameTheItem) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "empty"},
      {"conv(4,3)", "first item must be the input"},
      {"input(8,8,1); conv(4,3,stride=2)", "takes no argument 'stride'"},
      {"input(8,8,1); conv(4)", "needs its argument 'kernel'"},
      {"input(8,8,1); conv(4,3", "expected ')'"},
      {"input(8,8,1); frob(2)", "unknown layer type 'frob'"},
      {"input(8,8,1); conv(x,3)", "filters must be an integer, got 'x'"},
      {"input(8,8,1); conv(4,3,padding=full)", "padding must be same or valid"},
      {"input(8,8,1); conv(4,3,activation=magic)", "unknown activation 'magic'"},
      {"input(8,8,1); conv(4,3,strides=2,strides=1)", "given twice"},
      {"input(8,8,1); conv(4,3,from=nowhere)", "not a layer of the model"},
      {"input(8,8,1); a: conv(4,3,from=b); b: conv(4,3)", "comes later"},
      {"input(8,8,1); add(input_layer)", "at least 2"},
      {"input(8,8,1); dropout(1.5)", "rate must be a number in [0, 1)"},
      {"input(8,8,1); conv(0,3)", "filters must be >= 1"},
      {"input(8,8,1); conv(4,0)", "kernel_size must be >= 1"},
      {"input(8,8,1); a: relu; a: relu", "two layers are named 'a'"},
      {"input(8,8,1); bad name: relu", "layer name"},
      {"input(8,8,1); conv(4,3,strides=2,1)", "positional argument"},
      {"input(8,8,1); conv(4,3,bias=maybe)", "bias must be true or false"},
      {"input(8,8,1); i2: input(4,4,1,from=input_layer)", "takes no argument 'from'"},
  };
  for (const auto& [text, fragment] : cases) {
    try {
      const Architecture a = parse_model_spec(text);
      a.validate();
      ADD_FAILURE() << "no error for: " << text;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos)
          << text << "\n  got: " << e.what();
    }
  }
}

TEST(ModelSpec, SetLayerArgumentFollowsTheGrammar) {
  Architecture arch = parse_model_spec(
      "input(28,28,1); c: conv(8,3); p: maxpool(2); d: dwconv(3); a: add(c, c); f: flatten");
  LayerSpec& c = arch.layers[arch.index_of("c")];
  set_layer_argument(c, "strides", "2x1");
  set_layer_argument(c, "padding", "same");
  set_layer_argument(c, "kernel", "5");
  set_layer_argument(c, "filters", "16");
  EXPECT_EQ(c.strides, (Pair2D{2, 1}));
  EXPECT_EQ(c.kernel_size, (Pair2D{5, 5}));
  EXPECT_EQ(c.filters, 16);
  EXPECT_EQ(c.padding.kind, PaddingKind::kSame);
  set_layer_argument(arch.layers[arch.index_of("d")], "multiplier", "2");
  EXPECT_EQ(arch.layers[arch.index_of("d")].depth_multiplier, 2);
  const auto fails = [&](const char* layer, const char* key, const char* value,
                         std::initializer_list<const char*> what) {
    try {
      set_layer_argument(arch.layers[arch.index_of(layer)], key, value);
      ADD_FAILURE() << key << "=" << value << " was accepted";
    } catch (const InvalidArgument& e) {
      for (const char* w : what)
        EXPECT_NE(std::string(e.what()).find(w), std::string::npos) << e.what();
    }
  };
  fails("c", "strides", "x", {"layer 'c'", "strides"});
  fails("c", "stride", "2", {"layer 'c'", "no argument 'stride'", "strides"});
  fails("c", "padding", "middle", {"padding", "middle"});
  fails("c", "from", "p", {"from="});
  fails("c", "strides", "", {"no value"});
  fails("p", "dilation", "2", {"'maxpool' takes no argument 'dilation'"});
  fails("a", "axis", "1", {"Add", "cannot be changed"});
  fails("input_layer", "strides", "2", {"InputLayer", "cannot be changed"});
}

}  // namespace
}  // namespace strider::model
