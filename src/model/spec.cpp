#include "strider/model/spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "strider/core/error.hpp"
#include "strider/core/parse.hpp"

namespace strider::model {
namespace {

// What one spec word builds: the kind, its positional argument names ("*" = any number of them)
// and the keys it accepts besides `from` and `end_point`.
struct ItemType {
  std::string_view word;  // the canonical word, written by format_model_spec
  LayerKind kind;
  std::vector<std::string_view> positional;
  std::vector<std::string_view> keys;
  std::string_view activation = {};  // set for the activation shorthands (relu, softmax, ...)
};

const std::vector<std::string_view> kConvKeys = {"strides", "padding", "dilation",
                                                 "groups",  "bias",    "activation"};
const std::vector<std::string_view> kDepthwiseKeys = {"strides",    "padding", "dilation",
                                                      "multiplier", "bias",    "activation"};
const std::vector<std::string_view> kPoolKeys = {"strides", "padding"};

const std::vector<ItemType>& item_types() {
  static const std::vector<ItemType> types = {
      {"input", LayerKind::kInput, {"*"}, {}},
      {"conv", LayerKind::kConv2D, {"filters", "kernel"}, kConvKeys},
      {"conv1d", LayerKind::kConv1D, {"filters", "kernel"}, kConvKeys},
      {"deconv",
       LayerKind::kConv2DTranspose,
       {"filters", "kernel"},
       {"strides", "padding", "dilation", "output_padding", "bias", "activation"}},
      {"dwconv", LayerKind::kDepthwiseConv2D, {"kernel"}, kDepthwiseKeys},
      {"sepconv", LayerKind::kSeparableConv2D, {"filters", "kernel"}, kDepthwiseKeys},
      {"maxpool", LayerKind::kMaxPool2D, {"pool"}, kPoolKeys},
      {"avgpool", LayerKind::kAvgPool2D, {"pool"}, kPoolKeys},
      {"maxpool1d", LayerKind::kMaxPool1D, {"pool"}, kPoolKeys},
      {"avgpool1d", LayerKind::kAvgPool1D, {"pool"}, kPoolKeys},
      {"gap", LayerKind::kGlobalAvgPool2D, {}, {}},
      {"gmp", LayerKind::kGlobalMaxPool2D, {}, {}},
      {"gap1d", LayerKind::kGlobalAvgPool1D, {}, {}},
      {"gmp1d", LayerKind::kGlobalMaxPool1D, {}, {}},
      {"zeropad", LayerKind::kZeroPadding2D, {"padding"}, {}},
      {"crop", LayerKind::kCropping2D, {"padding"}, {}},
      {"upsample", LayerKind::kUpSampling2D, {"size"}, {}},
      {"bn", LayerKind::kBatchNorm, {}, {"center", "scale"}},
      {"activation", LayerKind::kActivation, {"activation"}, {}},
      {"dropout", LayerKind::kDropout, {"rate"}, {}},
      {"flatten", LayerKind::kFlatten, {}, {}},
      {"dense", LayerKind::kDense, {"units"}, {"bias", "activation"}},
      {"add", LayerKind::kAdd, {"*"}, {}},
      {"concat", LayerKind::kConcatenate, {"*"}, {"axis"}},
      // Shorthands.
      {"conv2d", LayerKind::kConv2D, {"filters", "kernel"}, kConvKeys},
      {"conv2d_transpose",
       LayerKind::kConv2DTranspose,
       {"filters", "kernel"},
       {"strides", "padding", "dilation", "output_padding", "bias", "activation"}},
      {"depthwise", LayerKind::kDepthwiseConv2D, {"kernel"}, kDepthwiseKeys},
      {"separable", LayerKind::kSeparableConv2D, {"filters", "kernel"}, kDepthwiseKeys},
      {"globalavgpool", LayerKind::kGlobalAvgPool2D, {}, {}},
      {"globalmaxpool", LayerKind::kGlobalMaxPool2D, {}, {}},
      {"batchnorm", LayerKind::kBatchNorm, {}, {"center", "scale"}},
      {"concatenate", LayerKind::kConcatenate, {"*"}, {"axis"}},
      {"relu", LayerKind::kActivation, {}, {}, "relu"},
      {"relu6", LayerKind::kActivation, {}, {}, "relu6"},
      {"sigmoid", LayerKind::kActivation, {}, {}, "sigmoid"},
      {"tanh", LayerKind::kActivation, {}, {}, "tanh"},
      {"softmax", LayerKind::kActivation, {}, {}, "softmax"},
  };
  return types;
}

// Keras's automatic layer names.
std::string_view default_name(LayerKind kind) {
  switch (kind) {
    case LayerKind::kInput:
      return "input_layer";
    case LayerKind::kConv1D:
      return "conv1d";
    case LayerKind::kConv2D:
      return "conv2d";
    case LayerKind::kConv2DTranspose:
      return "conv2d_transpose";
    case LayerKind::kDepthwiseConv2D:
      return "depthwise_conv2d";
    case LayerKind::kSeparableConv2D:
      return "separable_conv2d";
    case LayerKind::kMaxPool1D:
      return "max_pooling1d";
    case LayerKind::kAvgPool1D:
      return "average_pooling1d";
    case LayerKind::kMaxPool2D:
      return "max_pooling2d";
    case LayerKind::kAvgPool2D:
      return "average_pooling2d";
    case LayerKind::kGlobalMaxPool1D:
      return "global_max_pooling1d";
    case LayerKind::kGlobalAvgPool1D:
      return "global_average_pooling1d";
    case LayerKind::kGlobalMaxPool2D:
      return "global_max_pooling2d";
    case LayerKind::kGlobalAvgPool2D:
      return "global_average_pooling2d";
    case LayerKind::kZeroPadding2D:
      return "zero_padding2d";
    case LayerKind::kCropping2D:
      return "cropping2d";
    case LayerKind::kUpSampling2D:
      return "up_sampling2d";
    case LayerKind::kBatchNorm:
      return "batch_normalization";
    case LayerKind::kActivation:
      return "activation";
    case LayerKind::kDropout:
      return "dropout";
    case LayerKind::kFlatten:
      return "flatten";
    case LayerKind::kDense:
      return "dense";
    case LayerKind::kAdd:
      return "add";
    case LayerKind::kConcatenate:
      return "concatenate";
  }
  return "layer";
}

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '/' || c == '.' || c == '-';
}

// Parses one item of the spec into `layer`; `where` names it in every error.
class ItemParser {
 public:
  ItemParser(std::string_view text, std::string where) : text_(text), where_(std::move(where)) {}

  // Returns the layer and, for an unnamed one, false in `named`.
  LayerSpec parse(bool& named) {
    LayerSpec layer;
    std::string_view rest = text_;
    const std::size_t colon = rest.find(':');
    const std::size_t paren = rest.find('(');
    named = colon != std::string_view::npos && (paren == std::string_view::npos || colon < paren);
    if (named) {
      layer.name = std::string(trim(rest.substr(0, colon)));
      if (layer.name.empty() || !std::all_of(layer.name.begin(), layer.name.end(), is_name_char)) {
        fail(fmt::format("layer name '{}' must be letters, digits and _ / . -", layer.name));
      }
      rest = trim(rest.substr(colon + 1));
    }
    std::string_view word = rest;
    std::string_view args;
    const std::size_t open = rest.find('(');
    if (open != std::string_view::npos) {
      if (rest.back() != ')') fail("expected ')' at the end");
      word = trim(rest.substr(0, open));
      args = rest.substr(open + 1, rest.size() - open - 2);
      if (args.find_first_of("()") != std::string_view::npos) fail("unbalanced parentheses");
    }
    const auto& types = item_types();
    const auto type =
        std::find_if(types.begin(), types.end(), [&](const ItemType& t) { return t.word == word; });
    if (type == types.end()) {
      std::vector<std::string_view> words;
      for (const ItemType& t : types) words.push_back(t.word);
      fail(fmt::format("unknown layer type '{}'; types are {}", word, fmt::join(words, ", ")));
    }
    layer.kind = type->kind;
    if (!type->activation.empty()) layer.activation = std::string(type->activation);
    // Keras's defaults where they differ from LayerSpec's: pool_size 2, ZeroPadding2D 1.
    if (type->positional == std::vector<std::string_view>{"pool"}) layer.kernel_size = {2, 2};
    if (layer.kind == LayerKind::kZeroPadding2D)
      layer.padding = Padding2D::explicit_pads(1, 1, 1, 1);
    if (layer.kind == LayerKind::kCropping2D) layer.padding = Padding2D::explicit_pads(0, 0, 0, 0);
    std::size_t position = 0;
    bool keyed = false;  // a key=value argument was seen
    std::set<std::string, std::less<>> seen;
    if (!trim(args).empty()) {
      std::size_t start = 0;
      while (start <= args.size()) {
        std::size_t end = args.find(',', start);
        if (end == std::string_view::npos) end = args.size();
        const std::string_view arg = trim(args.substr(start, end - start));
        if (arg.empty()) fail("empty argument");
        const std::size_t eq = arg.find('=');
        std::string_view key;
        std::string_view value;
        if (eq == std::string_view::npos) {
          if (keyed) {
            // Positional arguments come first, as in Python.
            fail(fmt::format("positional argument '{}' after a key=value argument", arg));
          }
          if (position >= type->positional.size()) {
            fail(fmt::format("too many positional arguments ('{}'); '{}' takes {}", arg, type->word,
                             type->positional.size()));
          }
          key = type->positional[position];
          if (key != "*") {
            ++position;
            seen.emplace(key);
          }
          value = arg;
        } else {
          key = trim(arg.substr(0, eq));
          value = trim(arg.substr(eq + 1));
          check_key(*type, key);
          if (seen.contains(key)) fail(fmt::format("argument '{}' given twice", key));
          seen.emplace(key);
          if (value.empty()) fail(fmt::format("argument '{}' has no value", key));
        }
        if (eq != std::string_view::npos) keyed = true;
        set(layer, key, value);
        start = end + 1;
      }
    }
    for (std::size_t p = position; p < type->positional.size(); ++p) {
      const std::string_view key = type->positional[p];
      const bool required = key == "filters" || key == "units" || key == "activation" ||
                            key == "kernel" || key == "rate";
      if (required && !seen.contains(key)) {
        fail(fmt::format("'{}' needs its argument '{}'", type->word, key));
      }
    }
    if (layer.kind == LayerKind::kInput && layer.input_shape.empty()) {
      fail("'input' needs its shape, e.g. input(28,28,1)");
    }
    if (is_merge(layer.kind) && layer.inputs.size() < 2) {
      fail(fmt::format("'{}' needs the names of at least 2 layers, e.g. {}(a, b)", type->word,
                       type->word));
    }
    return layer;
  }

  // Sets `key` of a parsed layer as `key=value` in its item would.
  void apply(LayerSpec& layer, std::string_view key, std::string_view value) {
    const auto& types = item_types();
    const auto type = std::find_if(types.begin(), types.end(), [&](const ItemType& t) {
      return t.kind == layer.kind && t.activation.empty();
    });
    if (type == types.end() || layer.kind == LayerKind::kInput || is_merge(layer.kind)) {
      fail(fmt::format("a {} layer's arguments cannot be changed", keras_class_name(layer.kind)));
    }
    check_key(*type, key);
    if (key == "from") fail("from= changes the model's graph, not a layer's argument");
    if (value.empty()) fail(fmt::format("argument '{}' has no value", key));
    set(layer, key, value);
  }

 private:
  void check_key(const ItemType& type, std::string_view key) const {
    const bool allowed =
        (key == "from" && type.kind != LayerKind::kInput) || key == "end_point" ||
        std::find(type.keys.begin(), type.keys.end(), key) != type.keys.end() ||
        std::find(type.positional.begin(), type.positional.end(), key) != type.positional.end();
    if (!allowed) {
      std::vector<std::string_view> keys(type.positional.begin(), type.positional.end());
      keys.insert(keys.end(), type.keys.begin(), type.keys.end());
      keys.erase(std::remove(keys.begin(), keys.end(), "*"), keys.end());
      if (type.kind != LayerKind::kInput) keys.push_back("from");
      fail(fmt::format("'{}' takes no argument '{}'; it takes {}", type.word, key,
                       fmt::join(keys, ", ")));
    }
  }

  [[noreturn]] void fail(const std::string& message) const {
    throw InvalidArgument(fmt::format("{}: {}", where_, message));
  }

  std::int64_t integer(std::string_view key, std::string_view value) const {
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || end != value.data() + value.size()) {
      fail(fmt::format("{} must be an integer, got '{}'", key, value));
    }
    return v;
  }

  // `3` or `3x2`.
  Pair2D pair(std::string_view key, std::string_view value) const {
    const std::size_t x = value.find('x');
    if (x == std::string_view::npos) {
      const std::int64_t v = integer(key, value);
      return {v, v};
    }
    return {integer(key, value.substr(0, x)), integer(key, value.substr(x + 1))};
  }

  // `1` (all sides), `1x2` (rows, columns) or `1x2x3x4` (top, bottom, left, right).
  Padding2D amounts(std::string_view key, std::string_view value) const {
    std::vector<std::int64_t> v;
    std::size_t start = 0;
    while (true) {
      const std::size_t x = value.find('x', start);
      v.push_back(integer(key, value.substr(start, x == std::string_view::npos ? x : x - start)));
      if (x == std::string_view::npos) break;
      start = x + 1;
    }
    if (v.size() == 1) return Padding2D::explicit_pads(v[0], v[0], v[0], v[0]);
    if (v.size() == 2) return Padding2D::explicit_pads(v[0], v[0], v[1], v[1]);
    if (v.size() == 4) return Padding2D::explicit_pads(v[0], v[1], v[2], v[3]);
    fail(fmt::format("{} must be N, HxW or TxBxLxR, got '{}'", key, value));
  }

  bool boolean(std::string_view key, std::string_view value) const {
    if (value == "true" || value == "1") return true;
    if (value == "false" || value == "0") return false;
    fail(fmt::format("{} must be true or false, got '{}'", key, value));
  }

  void set(LayerSpec& layer, std::string_view key, std::string_view value) {
    if (key == "*") {
      if (layer.kind == LayerKind::kInput) {
        layer.input_shape.push_back(integer("shape", value));
      } else {
        layer.inputs.emplace_back(value);
      }
    } else if (key == "from") {
      if (is_merge(layer.kind)) fail("merge layers name their inputs as arguments, not from=");
      layer.inputs = {std::string(value)};
    } else if (key == "end_point") {
      layer.end_point = std::string(value);
    } else if (key == "filters" || key == "units") {
      layer.filters = integer(key, value);
    } else if (key == "kernel" || key == "pool") {
      layer.kernel_size = pair(key, value);
    } else if (key == "strides") {
      layer.strides = pair(key, value);
    } else if (key == "dilation") {
      layer.dilation = pair(key, value);
    } else if (key == "output_padding") {
      layer.output_padding = pair(key, value);
    } else if (key == "size") {
      layer.size = pair(key, value);
    } else if (key == "padding") {
      if (layer.kind == LayerKind::kZeroPadding2D || layer.kind == LayerKind::kCropping2D) {
        layer.padding = amounts(key, value);
      } else if (value == "same") {
        layer.padding = Padding2D::same();
      } else if (value == "valid") {
        layer.padding = Padding2D::valid();
      } else if (value == "causal" && layer.kind == LayerKind::kConv1D) {
        layer.padding = Padding2D{PaddingKind::kCausal};
      } else if (layer.kind == LayerKind::kConv2D && value.find('x') != std::string_view::npos) {
        layer.padding = amounts(key, value);
      } else {
        fail(fmt::format("padding must be same or valid{}{}, got '{}'",
                         layer.kind == LayerKind::kConv1D ? " or causal" : "",
                         layer.kind == LayerKind::kConv2D ? " or TxBxLxR" : "", value));
      }
    } else if (key == "groups") {
      layer.groups = integer(key, value);
    } else if (key == "multiplier") {
      layer.depth_multiplier = integer(key, value);
    } else if (key == "bias") {
      layer.use_bias = boolean(key, value);
    } else if (key == "center") {
      layer.center = boolean(key, value);
    } else if (key == "scale") {
      layer.scale = boolean(key, value);
    } else if (key == "activation") {
      if (!is_known_activation(value)) fail(fmt::format("unknown activation '{}'", value));
      layer.activation = std::string(value);
    } else if (key == "rate") {
      double rate = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), rate);
      if (ec != std::errc() || end != value.data() + value.size() || !(rate >= 0 && rate < 1)) {
        fail(fmt::format("rate must be a number in [0, 1), got '{}'", value));
      }
      layer.rate = rate;
    } else if (key == "axis") {
      layer.axis = integer(key, value);
    }
  }

  std::string_view text_;
  std::string where_;
};

// Splits the spec into items at ';' and new lines, dropping comments and blank items.
std::vector<std::string_view> split_items(std::string_view text) {
  std::vector<std::string_view> items;
  std::size_t start = 0;
  bool comment = false;
  std::size_t item_end = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const char c = i < text.size() ? text[i] : '\n';
    if (c == '#' && !comment) {
      comment = true;
      item_end = i;
    }
    if (c == ';' && !comment) item_end = i;
    if (c == '\n' || (c == ';' && !comment)) {
      const std::size_t end = comment ? item_end : i;
      const std::string_view item = trim(text.substr(start, end - start));
      if (!item.empty()) items.push_back(item);
      start = i + 1;
      if (c == '\n') comment = false;
    }
  }
  return items;
}

std::string pair_text(Pair2D p) {
  return p.h == p.w ? fmt::format("{}", p.h) : fmt::format("{}x{}", p.h, p.w);
}

std::string amounts_text(const Padding2D& p) {
  if (p.top == p.bottom && p.left == p.right) {
    return p.top == p.left ? fmt::format("{}", p.top) : fmt::format("{}x{}", p.top, p.left);
  }
  return fmt::format("{}x{}x{}x{}", p.top, p.bottom, p.left, p.right);
}

}  // namespace

Architecture parse_model_spec(std::string_view text, std::string_view model_name) {
  Architecture arch;
  arch.name = std::string(model_name);
  const std::vector<std::string_view> items = split_items(text);
  if (items.empty())
    throw InvalidArgument("model spec: empty (expected e.g. 'input(28,28,1); ...')");
  std::vector<bool> named(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    bool has_name = false;
    ItemParser parser(items[i], fmt::format("model spec: item {} '{}'", i + 1, items[i]));
    arch.layers.push_back(parser.parse(has_name));
    named[i] = has_name;
  }
  if (arch.layers.front().kind != LayerKind::kInput) {
    throw InvalidArgument(fmt::format(
        "model spec: the first item must be the input, e.g. 'input(28,28,1)', got '{}'", items[0]));
  }
  std::set<std::string, std::less<>> used;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (named[i]) used.insert(arch.layers[i].name);
  }
  std::map<std::string_view, int> counters;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (named[i]) continue;
    const std::string_view base = default_name(arch.layers[i].kind);
    std::string name;
    do {
      const int n = counters[base]++;
      name = n == 0 ? std::string(base) : fmt::format("{}_{}", base, n);
    } while (used.contains(name));
    used.insert(name);
    arch.layers[i].name = name;
  }
  arch.validate();
  return arch;
}

void set_layer_argument(LayerSpec& layer, std::string_view key, std::string_view value) {
  ItemParser parser("", fmt::format("layer '{}'", layer.name));
  parser.apply(layer, key, value);
}

std::string format_model_spec(const Architecture& arch) {
  std::string out;
  const auto& types = item_types();
  for (std::size_t i = 0; i < arch.layers.size(); ++i) {
    const LayerSpec& l = arch.layers[i];
    // Keras allows any layer name; the spec text (and so a checkpoint) holds only the grammar's.
    if (l.name.empty() || !std::all_of(l.name.begin(), l.name.end(), is_name_char)) {
      throw InvalidArgument(fmt::format(
          "model '{}': layer name '{}' cannot be written as model spec text (names are letters, "
          "digits and _ / . -); rename the layer",
          arch.name, l.name));
    }
    const auto type = std::find_if(types.begin(), types.end(), [&](const ItemType& t) {
      return t.kind == l.kind && t.activation.empty();
    });
    std::vector<std::string> args;
    const auto window_args = [&](bool pool) {
      if (l.strides && !(pool && *l.strides == l.kernel_size)) {
        args.push_back("strides=" + pair_text(*l.strides));
      }
      if (l.padding.kind == PaddingKind::kSame) args.emplace_back("padding=same");
      if (l.padding.kind == PaddingKind::kCausal) args.emplace_back("padding=causal");
      if (l.padding.kind == PaddingKind::kExplicit) {
        // A convolution's explicit pads are told from a mistake by their 'x': equal pads are
        // written NxN, since a lone N does not parse back.
        std::string pads = amounts_text(l.padding);
        if (pads.find('x') == std::string::npos) {
          const std::string n = pads;
          pads.push_back('x');
          pads += n;
        }
        args.push_back("padding=" + pads);
      }
      if (!pool && !(l.dilation == Pair2D{1, 1})) {
        args.push_back("dilation=" + pair_text(l.dilation));
      }
    };
    switch (l.kind) {
      case LayerKind::kInput:
        for (const std::int64_t e : l.input_shape) args.push_back(fmt::format("{}", e));
        break;
      case LayerKind::kConv1D:
      case LayerKind::kConv2D:
      case LayerKind::kConv2DTranspose:
      case LayerKind::kSeparableConv2D:
      case LayerKind::kDepthwiseConv2D:
        if (l.kind != LayerKind::kDepthwiseConv2D) args.push_back(fmt::format("{}", l.filters));
        args.push_back(pair_text(l.kernel_size));
        window_args(false);
        if (l.groups != 1) args.push_back(fmt::format("groups={}", l.groups));
        if (l.depth_multiplier != 1) {
          args.push_back(fmt::format("multiplier={}", l.depth_multiplier));
        }
        if (l.output_padding) args.push_back("output_padding=" + pair_text(*l.output_padding));
        break;
      case LayerKind::kMaxPool1D:
      case LayerKind::kAvgPool1D:
      case LayerKind::kMaxPool2D:
      case LayerKind::kAvgPool2D:
        args.push_back(pair_text(l.kernel_size));
        window_args(true);
        break;
      case LayerKind::kZeroPadding2D:
      case LayerKind::kCropping2D:
        args.push_back(amounts_text(l.padding));
        break;
      case LayerKind::kUpSampling2D:
        args.push_back(pair_text(l.size));
        break;
      case LayerKind::kBatchNorm:
        if (!l.center) args.emplace_back("center=false");
        if (!l.scale) args.emplace_back("scale=false");
        break;
      case LayerKind::kActivation:
        args.push_back(l.activation);
        break;
      case LayerKind::kDropout:
        args.push_back(fmt::format("{}", l.rate));
        break;
      case LayerKind::kDense:
        args.push_back(fmt::format("{}", l.filters));
        break;
      case LayerKind::kAdd:
      case LayerKind::kConcatenate:
        args.insert(args.end(), l.inputs.begin(), l.inputs.end());
        if (l.kind == LayerKind::kConcatenate && l.axis != -1) {
          args.push_back(fmt::format("axis={}", l.axis));
        }
        break;
      default:
        break;
    }
    const bool has_bias_key =
        std::find(type->keys.begin(), type->keys.end(), "bias") != type->keys.end();
    if (has_bias_key && !l.use_bias) args.emplace_back("bias=false");
    if (l.kind != LayerKind::kActivation && l.activation != "linear") {
      args.push_back("activation=" + l.activation);
    }
    if (!is_merge(l.kind) && !l.inputs.empty()) {
      const bool previous = i > 0 && l.inputs.size() == 1 && l.inputs[0] == arch.layers[i - 1].name;
      if (!previous) args.push_back("from=" + l.inputs[0]);
    }
    if (!l.end_point.empty()) args.push_back("end_point=" + l.end_point);
    out += l.name;
    out += ": ";
    out += type->word;
    if (!args.empty()) {
      out += '(';
      out += fmt::format("{}", fmt::join(args, ", "));
      out += ')';
    }
    out += '\n';
  }
  return out;
}

}  // namespace strider::model
