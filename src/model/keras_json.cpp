// The Keras 3 JSON reader: checks every layer entry for code before reading it (Lambda, custom or
// foreign classes, serialized functions), reads each layer's settings with every type checked,
// and lays a Functional graph out as one LayerSpec per layer call in topological order. The
// fixtures in tests/analysis/keras_models/ (written by keras 3.15) show every form read here.
#include "strider/model/keras_json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "strider/core/error.hpp"

namespace strider::model {
namespace {

using Json = nlohmann::json;

// inception_v3 is 271 KB and 11 levels deep; these leave room for far larger models while
// keeping a hostile file from exhausting memory or the stack of the recursive checks below.
constexpr std::size_t kMaxBytes = std::size_t{32} << 20;
constexpr int kMaxDepth = 64;
constexpr std::size_t kMaxNameLength = 256;

constexpr std::string_view kNeverRunsCode = "Strider never runs code from model files";

// A name or value from the file as it may appear in a one-line message: control characters
// replaced, long text cut.
std::string printable(std::string_view text, std::size_t limit = 80) {
  std::string out;
  for (const char c : text.substr(0, limit)) {
    out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c);
  }
  if (text.size() > limit) out.append("...");
  return out;
}

// Refuses nesting deeper than kMaxDepth before nlohmann builds the document.
void check_depth(std::string_view text) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) {
        throw FormatError(
            fmt::format("Keras JSON: nested deeper than {} levels; not a Keras model", kMaxDepth));
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
}

// A value in the document and its key path ("config.layers[3].config.kernel_size"), for messages.
// Every read checks the type first and throws FormatError naming the path.
class At {
 public:
  At(const Json& value, std::string path) : value_(value), path_(std::move(path)) {}

  const Json& json() const { return value_; }
  const std::string& path() const { return path_; }

  [[noreturn]] void fail(std::string_view expected) const {
    throw FormatError(
        fmt::format("Keras JSON: {}: expected {}, got {}", path_, expected, describe(value_)));
  }

  bool has(std::string_view key) const {
    return value_.is_object() && value_.find(key) != value_.end();
  }
  // The member `key` of an object; FormatError when this is not an object or `key` is missing.
  At operator[](std::string_view key) const {
    if (!value_.is_object()) fail("an object");
    const auto found = value_.find(key);
    if (found == value_.end()) {
      throw FormatError(fmt::format("Keras JSON: {}.{} is missing", path_, key));
    }
    return At(*found, member_path(key));
  }
  // The member `key`, or nullopt when it is missing or null.
  std::optional<At> optional(std::string_view key) const {
    if (!value_.is_object()) fail("an object");
    const auto found = value_.find(key);
    if (found == value_.end() || found->is_null()) return std::nullopt;
    return At(*found, member_path(key));
  }
  At operator[](std::size_t i) const {
    if (!value_.is_array() || i >= value_.size())
      fail(fmt::format("a list of more than {} items", i));
    return At(value_[i], fmt::format("{}[{}]", path_, i));
  }

  std::size_t array_size() const {
    if (!value_.is_array()) fail("a list");
    return value_.size();
  }
  const std::string& string() const {
    if (!value_.is_string()) fail("a string");
    return value_.get_ref<const std::string&>();
  }
  bool boolean() const {
    if (!value_.is_boolean()) fail("true or false");
    return value_.get<bool>();
  }
  std::int64_t integer() const {
    if (!value_.is_number_integer() ||
        (value_.is_number_unsigned() &&
         value_.get<std::uint64_t>() >
             static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))) {
      fail("an integer that fits in 64 bits");
    }
    return value_.get<std::int64_t>();
  }
  double number() const {
    if (!value_.is_number()) fail("a number");
    return value_.get<double>();
  }

 private:
  static std::string describe(const Json& v) {
    if (v.is_string()) return fmt::format("'{}'", printable(v.get_ref<const std::string&>()));
    if (v.is_number() || v.is_boolean() || v.is_null()) return printable(v.dump());
    return v.is_array() ? "a list" : "an object";
  }
  std::string member_path(std::string_view key) const {
    return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
  }

  const Json& value_;
  std::string path_;
};

bool is_keras_module(const Json& module) {
  if (!module.is_string()) return false;
  const std::string& m = module.get_ref<const std::string&>();
  return m == "keras" || m.starts_with("keras.");
}

bool is_keras_layer_module(const Json& module) {
  if (!module.is_string()) return false;
  const std::string& m = module.get_ref<const std::string&>();
  return m == "keras.layers" || m.starts_with("keras.layers.") || m.starts_with("keras.src.");
}

// The classes read, and what each becomes. ReLU becomes an Activation (relu, relu6, leaky_relu).
const std::map<std::string, LayerKind, std::less<>>& supported_classes() {
  static const std::map<std::string, LayerKind, std::less<>> classes = {
      {"InputLayer", LayerKind::kInput},
      {"Conv1D", LayerKind::kConv1D},
      {"Conv2D", LayerKind::kConv2D},
      {"Conv2DTranspose", LayerKind::kConv2DTranspose},
      {"DepthwiseConv2D", LayerKind::kDepthwiseConv2D},
      {"SeparableConv2D", LayerKind::kSeparableConv2D},
      {"MaxPooling1D", LayerKind::kMaxPool1D},
      {"AveragePooling1D", LayerKind::kAvgPool1D},
      {"MaxPooling2D", LayerKind::kMaxPool2D},
      {"AveragePooling2D", LayerKind::kAvgPool2D},
      {"GlobalMaxPooling1D", LayerKind::kGlobalMaxPool1D},
      {"GlobalAveragePooling1D", LayerKind::kGlobalAvgPool1D},
      {"GlobalMaxPooling2D", LayerKind::kGlobalMaxPool2D},
      {"GlobalAveragePooling2D", LayerKind::kGlobalAvgPool2D},
      {"ZeroPadding2D", LayerKind::kZeroPadding2D},
      {"Cropping2D", LayerKind::kCropping2D},
      {"UpSampling2D", LayerKind::kUpSampling2D},
      {"BatchNormalization", LayerKind::kBatchNorm},
      {"Activation", LayerKind::kActivation},
      {"ReLU", LayerKind::kActivation},
      {"Dropout", LayerKind::kDropout},
      {"Flatten", LayerKind::kFlatten},
      {"Dense", LayerKind::kDense},
      {"Add", LayerKind::kAdd},
      {"Concatenate", LayerKind::kConcatenate},
  };
  return classes;
}

std::string supported_list() {
  std::string list;
  for (const auto& [name, kind] : supported_classes()) {
    if (!list.empty()) list.append(", ");
    list.append(name);
  }
  return list;
}

// One layer entry of `config.layers`: the safety checks, then its settings as a LayerSpec.
class LayerReader {
 public:
  explicit LayerReader(At entry) : entry_(std::move(entry)) {}

  LayerSpec read() {
    if (!entry_.json().is_object()) entry_.fail("a layer object");
    const std::string& class_name = entry_["class_name"].string();
    class_ = printable(class_name);
    name_ = read_name();
    where_ = fmt::format("layer '{}' ({})", printable(name_), class_);
    refuse_code(class_name);
    const auto found = supported_classes().find(class_name);
    if (found == supported_classes().end()) {
      throw InvalidArgument(fmt::format("{}: class '{}' is not supported; supported classes: {}",
                                        where_, class_, supported_list()));
    }
    config_.emplace(entry_["config"]);
    if (!config_->json().is_object()) config_->fail("an object");
    LayerSpec spec;
    spec.name = name_;
    spec.kind = found->second;
    if (spec.kind != LayerKind::kInput) {
      if (const auto t = config_->optional("trainable")) spec.trainable = t->boolean();
      if (const auto f = config_->optional("data_format")) {
        if (f->string() != "channels_last") {
          throw InvalidArgument(fmt::format(
              "{}: data_format '{}' is not supported; Strider models are channels_last (NHWC)",
              where_, printable(f->string())));
        }
      }
    }
    read_settings(class_name, spec);
    return spec;
  }

 private:
  // Functional entries carry the name twice (entry and config); the graph refers to the entry's.
  std::string read_name() const {
    const At at = entry_.has("name") ? entry_["name"] : entry_["config"]["name"];
    const std::string& name = at.string();
    if (name.empty() || name.size() > kMaxNameLength ||
        std::any_of(name.begin(), name.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
      at.fail(fmt::format("a layer name of 1 to {} printable characters", kMaxNameLength));
    }
    return name;
  }

  [[noreturn]] void refuse(std::string_view why) const {
    throw InvalidArgument(fmt::format("{} {}; {}", where_, why, kNeverRunsCode));
  }

  // Keras's safe_mode refuses the same things: anything whose loading would run Python.
  void refuse_code(std::string_view class_name) const {
    if (class_name == "Lambda") refuse("would execute code");
    const Json& module = entry_.has("module") ? entry_.json()["module"] : Json();
    if (!is_keras_module(module)) {
      const Json& registered =
          entry_.has("registered_name") ? entry_.json()["registered_name"] : Json();
      refuse(fmt::format(
          "is a custom object ({}{}): loading it would execute code",
          module.is_string() ? fmt::format("module '{}'", printable(module.get<std::string>()))
                             : std::string("no Keras module"),
          registered.is_string()
              ? fmt::format(", registered as '{}'", printable(registered.get<std::string>()))
              : std::string()));
    }
    if (class_name == "Sequential" || class_name == "Functional" || class_name == "Model") {
      throw InvalidArgument(fmt::format(
          "{}: nested models are not supported; save the inner model's layers in the outer one",
          where_));
    }
    if (!is_keras_layer_module(module)) {
      refuse(fmt::format("comes from module '{}', not keras.layers: loading it would execute code",
                         printable(module.get<std::string>())));
    }
    if (entry_.has("registered_name")) {
      const Json& registered = entry_.json()["registered_name"];
      if (!registered.is_null() &&
          !(registered.is_string() && registered.get_ref<const std::string&>() == class_name)) {
        refuse(fmt::format(
            "is registered as {}, not a Keras built-in: loading it would execute "
            "code",
            registered.is_string() ? fmt::format("'{}'", printable(registered.get<std::string>()))
                                   : std::string("something else")));
      }
    }
    scan(entry_.json(), 0);
  }

  // Serialized functions and custom objects anywhere inside the entry (an activation function,
  // an initializer, a regularizer).
  void scan(const Json& value, int depth) const {
    if (depth > kMaxDepth) refuse("is nested too deeply to check");
    if (value.is_array()) {
      for (const Json& v : value) scan(v, depth + 1);
      return;
    }
    if (!value.is_object()) return;
    const auto class_name = value.find("class_name");
    if (class_name != value.end() && class_name->is_string()) {
      const std::string& c = class_name->get_ref<const std::string&>();
      if (c == "__lambda__" || c == "function" || c == "__function__") {
        refuse("holds a serialized Python function: it would execute code");
      }
      const auto module = value.find("module");
      if (module != value.end() && !is_keras_module(*module)) {
        refuse(
            fmt::format("holds a custom object '{}': loading it would execute code", printable(c)));
      }
      const auto registered = value.find("registered_name");
      if (registered != value.end() && registered->is_string() &&
          registered->get_ref<const std::string&>().find('>') != std::string::npos) {
        refuse(fmt::format("holds a custom object '{}': loading it would execute code",
                           printable(registered->get_ref<const std::string&>())));
      }
    }
    for (const auto& [key, v] : value.items()) {
      if (key == "function" || key == "__lambda__") {
        refuse("holds a serialized Python function: it would execute code");
      }
      scan(v, depth + 1);
    }
  }

  [[noreturn]] void unsupported(std::string_view what) const {
    throw InvalidArgument(fmt::format("{}: {}", where_, what));
  }

  const At& config() const { return *config_; }

  std::int64_t integer(std::string_view key, std::int64_t fallback) const {
    const auto v = config().optional(key);
    return v ? v->integer() : fallback;
  }
  bool boolean(std::string_view key, bool fallback) const {
    const auto v = config().optional(key);
    return v ? v->boolean() : fallback;
  }

  // `[h, w]` for 2-D layers, `[n]` for 1-D ones (kept in `w`); a bare integer means all axes.
  Pair2D pair(const At& at, bool one_d) const {
    if (at.json().is_number()) {
      const std::int64_t v = at.integer();
      return one_d ? Pair2D{1, v} : Pair2D{v, v};
    }
    const std::size_t n = at.array_size();
    if (n != (one_d ? 1u : 2u)) at.fail(one_d ? "a list of 1 integer" : "a list of 2 integers");
    return one_d ? Pair2D{1, at[0].integer()} : Pair2D{at[0].integer(), at[1].integer()};
  }
  Pair2D pair(std::string_view key, bool one_d) const { return pair(config()[key], one_d); }

  // ZeroPadding2D / Cropping2D amounts: `[[top, bottom], [left, right]]` as Keras writes them;
  // `n` and `[rows, cols]` as Keras also accepts them.
  Padding2D amounts(std::string_view key) const {
    const At at = config()[key];
    if (at.json().is_number()) {
      const std::int64_t v = at.integer();
      return Padding2D::explicit_pads(v, v, v, v);
    }
    if (at.array_size() != 2) at.fail("[[top, bottom], [left, right]]");
    if (at[0].json().is_number() && at[1].json().is_number()) {
      const std::int64_t rows = at[0].integer(), cols = at[1].integer();
      return Padding2D::explicit_pads(rows, rows, cols, cols);
    }
    const Pair2D rows = pair(at[0], false), cols = pair(at[1], false);
    return Padding2D::explicit_pads(rows.h, rows.w, cols.h, cols.w);
  }

  Padding2D padding(bool causal_allowed) const {
    const std::string& p = config()["padding"].string();
    if (p == "valid") return Padding2D::valid();
    if (p == "same") return Padding2D::same();
    if (p == "causal" && causal_allowed) return Padding2D{PaddingKind::kCausal};
    unsupported(fmt::format("padding '{}' is not supported (valid or same{})", printable(p),
                            causal_allowed ? " or causal" : ""));
  }

  std::string activation(const At& at) const {
    if (at.json().is_null()) return "linear";
    if (!at.json().is_string()) {
      refuse("has an activation that is not a Keras built-in name: it would execute code");
    }
    const std::string& name = at.string();
    if (name.find('>') != std::string::npos) {
      refuse(
          fmt::format("uses the custom activation '{}': it would execute code", printable(name)));
    }
    if (!is_known_activation(name)) {
      unsupported(fmt::format("activation '{}' is not supported", printable(name)));
    }
    return name;
  }

  void read_conv(LayerSpec& spec) const {
    const bool one_d = spec.kind == LayerKind::kConv1D;
    if (spec.kind != LayerKind::kDepthwiseConv2D) spec.filters = config()["filters"].integer();
    spec.kernel_size = pair("kernel_size", one_d);
    if (config().optional("strides")) spec.strides = pair("strides", one_d);
    if (config().optional("dilation_rate")) spec.dilation = pair("dilation_rate", one_d);
    spec.padding = padding(one_d);
    // Only Keras's Conv1D and Conv2D have groups; the depthwise, separable and transposed layers
    // take no such argument, so a stray key there is ignored as Keras's own config ignores it
    // (read, it gave a depthwise layer groups that no spec text can hold; found by the fuzzer).
    if (spec.kind == LayerKind::kConv1D || spec.kind == LayerKind::kConv2D) {
      spec.groups = integer("groups", 1);
    }
    spec.use_bias = boolean("use_bias", true);
    if (const auto a = config().optional("activation")) spec.activation = activation(*a);
    if (spec.kind == LayerKind::kDepthwiseConv2D || spec.kind == LayerKind::kSeparableConv2D) {
      spec.depth_multiplier = integer("depth_multiplier", 1);
    }
    if (spec.kind == LayerKind::kConv2DTranspose) {
      if (const auto op = config().optional("output_padding")) {
        spec.output_padding = pair(*op, false);
      }
    }
  }

  void read_pool(LayerSpec& spec) const {
    const bool one_d = is_1d(spec.kind);
    spec.kernel_size = pair("pool_size", one_d);
    if (config().optional("strides")) spec.strides = pair("strides", one_d);
    spec.padding = padding(false);
  }

  void read_relu(LayerSpec& spec) const {
    const auto max_value = config().optional("max_value");
    const auto slope = config().optional("negative_slope");
    const auto threshold = config().optional("threshold");
    const double negative_slope = slope ? slope->number() : 0.0;
    if (threshold && threshold->number() != 0.0) {
      unsupported(fmt::format("threshold {} is not supported (only 0)", threshold->number()));
    }
    if (!(negative_slope >= 0.0)) {
      unsupported(fmt::format("negative_slope must be >= 0, got {}", negative_slope));
    }
    if (max_value) {
      if (max_value->number() != 6.0 || negative_slope != 0.0) {
        unsupported(fmt::format(
            "max_value {} with negative_slope {} is not supported (only max_value 6, slope 0: "
            "relu6)",
            max_value->number(), negative_slope));
      }
      spec.activation = "relu6";
    } else {
      spec.activation = negative_slope > 0.0 ? "leaky_relu" : "relu";
    }
  }

  void read_input(LayerSpec& spec) const {
    const At shape =
        config().has("batch_shape") ? config()["batch_shape"] : config()["batch_input_shape"];
    const std::size_t n = shape.array_size();
    if (n < 2 || n > 4) shape.fail("[batch, ...] with 1 to 3 axes after the batch");
    for (std::size_t i = 1; i < n; ++i) {
      const At extent = shape[i];
      if (extent.json().is_null()) {
        spec.input_shape.push_back(0);  // open: the user gives it (--input)
        continue;
      }
      const std::int64_t e = extent.integer();
      if (e < 1) extent.fail("an extent >= 1 or null");
      spec.input_shape.push_back(e);
    }
  }

  void read_settings(std::string_view class_name, LayerSpec& spec) const {
    switch (spec.kind) {
      case LayerKind::kInput:
        read_input(spec);
        break;
      case LayerKind::kConv1D:
      case LayerKind::kConv2D:
      case LayerKind::kConv2DTranspose:
      case LayerKind::kDepthwiseConv2D:
      case LayerKind::kSeparableConv2D:
        read_conv(spec);
        break;
      case LayerKind::kMaxPool1D:
      case LayerKind::kAvgPool1D:
      case LayerKind::kMaxPool2D:
      case LayerKind::kAvgPool2D:
        read_pool(spec);
        break;
      case LayerKind::kGlobalMaxPool1D:
      case LayerKind::kGlobalAvgPool1D:
      case LayerKind::kGlobalMaxPool2D:
      case LayerKind::kGlobalAvgPool2D:
        if (boolean("keepdims", false)) unsupported("keepdims true is not supported");
        break;
      case LayerKind::kZeroPadding2D:
        spec.padding = amounts("padding");
        break;
      case LayerKind::kCropping2D:
        spec.padding = amounts("cropping");
        break;
      case LayerKind::kUpSampling2D:
        spec.size = pair("size", false);
        break;
      case LayerKind::kBatchNorm: {
        const At axis = config()["axis"];
        if (!axis.json().is_number_integer() || (axis.integer() != -1 && axis.integer() != 3)) {
          unsupported(fmt::format("axis {} is not supported (only -1 or 3: the channels)",
                                  printable(axis.json().dump())));
        }
        spec.center = boolean("center", true);
        spec.scale = boolean("scale", true);
        break;
      }
      case LayerKind::kActivation:
        if (class_name == "ReLU") {
          read_relu(spec);
        } else {
          spec.activation = activation(config()["activation"]);
        }
        break;
      case LayerKind::kDropout:
        spec.rate = config()["rate"].number();
        break;
      case LayerKind::kFlatten:
      case LayerKind::kAdd:
        break;
      case LayerKind::kDense:
        spec.filters = config()["units"].integer();
        spec.use_bias = boolean("use_bias", true);
        if (const auto a = config().optional("activation")) spec.activation = activation(*a);
        break;
      case LayerKind::kConcatenate:
        spec.axis = integer("axis", -1);
        break;
    }
  }

  At entry_;
  std::optional<At> config_;
  std::string name_, class_, where_;
};

// A tensor reference: the producing layer, which of its calls, which of that call's outputs.
struct TensorRef {
  std::string layer;
  std::int64_t node = 0;
  std::int64_t tensor = 0;
  std::string path;  // where the reference is, for messages
};

TensorRef read_triple(const At& at) {
  if (at.array_size() != 3) at.fail("[layer_name, node_index, tensor_index]");
  return {at[0].string(), at[1].integer(), at[2].integer(), at.path()};
}

// `input_layers` / `output_layers`: one triple, or a list of triples.
std::vector<TensorRef> read_triples(const At& at) {
  std::vector<TensorRef> refs;
  if (at.array_size() > 0 && at.json()[0].is_string()) {
    refs.push_back(read_triple(at));
    return refs;
  }
  for (std::size_t i = 0; i < at.array_size(); ++i) refs.push_back(read_triple(at[i]));
  if (refs.empty()) at.fail("at least one [layer_name, node_index, tensor_index]");
  return refs;
}

TensorRef read_keras_tensor(const At& at) {
  if (!at.json().is_object() || !at.has("class_name") ||
      at["class_name"].json() != "__keras_tensor__") {
    at.fail("a Keras tensor ({\"class_name\": \"__keras_tensor__\", ...})");
  }
  return read_triple(at["config"]["keras_history"]);
}

// One call of a layer in a Functional model: a LayerSpec of its own.
struct Call {
  std::size_t layer = 0;  // index in config.layers
  std::size_t node = 0;   // index in the layer's inbound_nodes
  LayerSpec spec;
  std::vector<TensorRef> reads;
};

class ModelReader {
 public:
  explicit ModelReader(const Json& doc) : root_(doc, "") {}

  Architecture read(std::string_view model_name) {
    if (!root_.json().is_object()) root_.fail("a Keras model object");
    const std::string& class_name = root_["class_name"].string();
    if (!root_.has("module")) {
      throw FormatError(
          fmt::format("Keras JSON: the model '{}' has no 'module' key: this is not Keras 3's "
                      "model.to_json() (Keras 2 / tf.keras files are not supported)",
                      printable(class_name)));
    }
    if (!is_keras_module(root_.json()["module"])) {
      throw InvalidArgument(fmt::format(
          "Keras JSON: the model class '{}' comes from module {}, not Keras: loading it would "
          "execute code; {}",
          printable(class_name), printable(root_.json()["module"].dump()), kNeverRunsCode));
    }
    if (class_name != "Sequential" && class_name != "Functional" && class_name != "Model") {
      throw FormatError(fmt::format(
          "Keras JSON: the top-level class is '{}'; expected a Sequential or Functional model",
          printable(class_name)));
    }
    const At config = root_["config"];
    Architecture arch;
    if (!model_name.empty()) {
      arch.name = std::string(model_name);
    } else if (const auto name = config.optional("name")) {
      arch.name = name->string();
    } else {
      arch.name = "model";
    }
    if (class_name == "Sequential") {
      read_sequential(config, arch);
    } else {
      read_functional(config, arch);
    }
    // Keras's model.trainable = False freezes every layer.
    if (const auto trainable = config.optional("trainable"); trainable && !trainable->boolean()) {
      for (LayerSpec& layer : arch.layers) layer.trainable = false;
    }
    arch.validate();
    return arch;
  }

 private:
  static void read_sequential(const At& config, Architecture& arch) {
    const At layers = config["layers"];
    const std::size_t n = layers.array_size();
    for (std::size_t i = 0; i < n; ++i) {
      LayerSpec spec = LayerReader(layers[i]).read();
      if (spec.kind == LayerKind::kInput && i > 0) {
        throw FormatError(fmt::format(
            "Keras JSON: {}: an InputLayer ('{}') may only come first in a Sequential model",
            layers[i].path(), printable(spec.name)));
      }
      arch.layers.push_back(std::move(spec));
    }
    if (arch.layers.empty() || arch.layers.front().kind != LayerKind::kInput) {
      // A Sequential model that was built without keras.Input: its size is in
      // build_input_shape when it was built at all.
      LayerSpec input;
      input.name = "input_layer";
      if (const auto shape = config.optional("build_input_shape")) {
        const std::size_t rank = shape->array_size();
        for (std::size_t i = 1; i < rank; ++i) {
          const At extent = (*shape)[i];
          const std::int64_t e = extent.json().is_null() ? 0 : extent.integer();
          if (e < 0) extent.fail("an extent >= 1 or null");
          input.input_shape.push_back(e);
        }
      }
      while (std::any_of(arch.layers.begin(), arch.layers.end(),
                         [&](const LayerSpec& l) { return l.name == input.name; })) {
        input.name.push_back('_');
      }
      arch.layers.insert(arch.layers.begin(), std::move(input));
    }
    arch.outputs = {arch.layers.back().name};
  }

  static void read_functional(const At& config, Architecture& arch) {
    const At layers = config["layers"];
    const std::size_t n = layers.array_size();
    std::vector<LayerSpec> specs;
    std::map<std::string, std::size_t, std::less<>> index;
    std::vector<std::vector<Call>> calls(n);
    for (std::size_t i = 0; i < n; ++i) {
      const At entry = layers[i];
      specs.push_back(LayerReader(entry).read());
      const LayerSpec& spec = specs.back();
      if (!index.emplace(spec.name, i).second) {
        throw InvalidArgument(
            fmt::format("Keras JSON: two layers are named '{}'", printable(spec.name)));
      }
      const At nodes = entry["inbound_nodes"];
      const std::size_t node_count = nodes.array_size();
      if (spec.kind == LayerKind::kInput) {
        if (node_count != 0) nodes.fail("an empty list for an InputLayer");
        calls[i].push_back({i, 0, spec, {}});
        continue;
      }
      if (node_count == 0) nodes.fail("at least one call of the layer");
      for (std::size_t k = 0; k < node_count; ++k) {
        calls[i].push_back({i, k, spec, read_node(nodes[k], is_merge(spec.kind))});
      }
    }
    name_calls(specs, calls);
    const auto call_of = [&](const TensorRef& ref) -> const Call& {
      const auto found = index.find(ref.layer);
      if (found == index.end()) {
        throw InvalidArgument(
            fmt::format("Keras JSON: {} names '{}', which is not a layer of the "
                        "model",
                        ref.path, printable(ref.layer)));
      }
      const std::vector<Call>& of = calls[found->second];
      if (ref.node < 0 || static_cast<std::size_t>(ref.node) >= of.size()) {
        throw InvalidArgument(
            fmt::format("Keras JSON: {} reads call {} of '{}', which has {} call{}", ref.path,
                        ref.node, printable(ref.layer), of.size(), of.size() == 1 ? "" : "s"));
      }
      if (ref.tensor != 0) {
        throw InvalidArgument(
            fmt::format("Keras JSON: {} reads output {} of '{}'; Strider's layers have one output",
                        ref.path, ref.tensor, printable(ref.layer)));
      }
      return of[static_cast<std::size_t>(ref.node)];
    };

    // Model inputs first, in the model's order, so that the first layer is an input.
    const std::vector<TensorRef> inputs = read_triples(config["input_layers"]);
    std::map<std::pair<std::size_t, std::size_t>, std::size_t> input_rank;
    for (const TensorRef& ref : inputs) {
      const Call& call = call_of(ref);
      if (call.spec.kind != LayerKind::kInput) {
        throw InvalidArgument(fmt::format("Keras JSON: {} names '{}', which is not an InputLayer",
                                          ref.path, printable(ref.layer)));
      }
      input_rank.emplace(std::pair{call.layer, call.node}, input_rank.size());
    }
    const std::vector<TensorRef> outputs = read_triples(config["output_layers"]);
    for (const TensorRef& ref : outputs) arch.outputs.push_back(call_of(ref).spec.name);

    // Kahn's algorithm, taking the ready call that comes first in the file: the file's order
    // when it is already topological. A later call of a shared layer also waits for the first,
    // which owns the weights.
    using Key = std::tuple<std::size_t, std::size_t, std::size_t>;  // group, layer, node
    std::map<const Call*, std::size_t> waiting;
    std::map<const Call*, std::vector<Call*>> readers;
    std::vector<Call*> all;
    for (std::vector<Call>& of : calls) {
      for (Call& call : of) {
        all.push_back(&call);
        std::size_t count = 0;
        for (const TensorRef& ref : call.reads) {
          readers[&call_of(ref)].push_back(&call);
          ++count;
        }
        if (call.node > 0) {
          readers[&of.front()].push_back(&call);
          ++count;
        }
        waiting[&call] = count;
      }
    }
    const auto key = [&](const Call* c) -> Key {
      const auto rank = input_rank.find({c->layer, c->node});
      if (rank != input_rank.end()) return {0, rank->second, 0};
      return {1, c->layer, c->node};
    };
    std::map<Key, Call*> ready;
    for (Call* c : all) {
      if (waiting[c] == 0) ready.emplace(key(c), c);
    }
    while (!ready.empty()) {
      Call* call = ready.begin()->second;
      ready.erase(ready.begin());
      LayerSpec spec = call->spec;
      for (const TensorRef& ref : call->reads) spec.inputs.push_back(call_of(ref).spec.name);
      if (call->node > 0) spec.shares = calls[call->layer].front().spec.name;
      arch.layers.push_back(std::move(spec));
      for (Call* reader : readers[call]) {
        if (--waiting[reader] == 0) ready.emplace(key(reader), reader);
      }
    }
    if (arch.layers.size() != all.size()) {
      std::vector<std::string> stuck;
      for (const Call* c : all) {
        if (waiting[c] > 0 && stuck.size() < 6) stuck.push_back(printable(c->spec.name));
      }
      throw InvalidArgument(fmt::format("Keras JSON: the layer graph has a cycle through {}",
                                        fmt::join(stuck, ", ")));
    }
  }

  // One entry of `inbound_nodes`: {"args": [tensor or [tensors...]], "kwargs": {...}}.
  static std::vector<TensorRef> read_node(const At& node, bool merge) {
    const At args = node["args"];
    if (args.array_size() != 1) args.fail("one argument (the input tensor or list of tensors)");
    std::vector<TensorRef> reads;
    const At arg = args[0];
    if (arg.json().is_array()) {
      if (!merge) arg.fail("one input tensor (the layer takes one input)");
      for (std::size_t i = 0; i < arg.array_size(); ++i) reads.push_back(read_keras_tensor(arg[i]));
    } else {
      if (merge) arg.fail("a list of input tensors");
      reads.push_back(read_keras_tensor(arg));
    }
    if (const auto kwargs = node.optional("kwargs")) {
      if (!kwargs->json().is_object()) kwargs->fail("an object");
      for (const auto& [key, value] : kwargs->json().items()) {
        const bool ignored = (key == "training" && (value.is_boolean() || value.is_null())) ||
                             (key == "mask" && value.is_null());
        if (!ignored) {
          throw InvalidArgument(
              fmt::format("Keras JSON: {}.{}: call argument '{}' is not supported", kwargs->path(),
                          printable(key), printable(key)));
        }
      }
    }
    return reads;
  }

  // Call 0 keeps the layer's name; call k > 0 is "<layer>_call<k>" (more '_' appended in the
  // unlikely case that this name is taken).
  static void name_calls(const std::vector<LayerSpec>& specs,
                         std::vector<std::vector<Call>>& calls) {
    std::set<std::string, std::less<>> taken;
    for (const LayerSpec& s : specs) taken.insert(s.name);
    for (std::vector<Call>& of : calls) {
      for (std::size_t k = 1; k < of.size(); ++k) {
        std::string name = fmt::format("{}_call{}", of[k].spec.name, k);
        while (taken.contains(name)) name.push_back('_');
        taken.insert(name);
        of[k].spec.name = std::move(name);
      }
    }
  }

  At root_;
};

}  // namespace

Architecture read_keras_json(std::string_view text, std::string_view model_name) {
  if (text.size() > kMaxBytes) {
    throw FormatError(
        fmt::format("Keras JSON: {} bytes is more than the {} MiB a model file may "
                    "have",
                    text.size(), kMaxBytes >> 20));
  }
  check_depth(text);
  Json doc;
  try {
    doc = Json::parse(text.begin(), text.end());
  } catch (const Json::exception& e) {
    // what() is "[json.exception.parse_error.101] parse error at line L, column C: ...", or an
    // out_of_range error for a number no double holds (1e999; found by the keras_json fuzzer).
    std::string_view what = e.what();
    const std::size_t bracket = what.find("] ");
    if (bracket != std::string_view::npos) what.remove_prefix(bracket + 2);
    throw FormatError(fmt::format("Keras JSON: {}", printable(what, 300)));
  }
  try {
    return ModelReader(doc).read(model_name);
  } catch (const Json::exception& e) {
    // Every access above checks its type first; this only keeps a missed one from escaping as
    // something other than a strider::Error.
    throw FormatError(fmt::format("Keras JSON: unexpected structure ({})", e.what()));
  }
}

}  // namespace strider::model
