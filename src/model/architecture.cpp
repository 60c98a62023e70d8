#include "strider/model/architecture.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <unordered_map>

#include "strider/core/error.hpp"

namespace strider::model {

std::string_view keras_class_name(LayerKind kind) {
  switch (kind) {
    case LayerKind::kInput:
      return "InputLayer";
    case LayerKind::kConv1D:
      return "Conv1D";
    case LayerKind::kConv2D:
      return "Conv2D";
    case LayerKind::kConv2DTranspose:
      return "Conv2DTranspose";
    case LayerKind::kDepthwiseConv2D:
      return "DepthwiseConv2D";
    case LayerKind::kSeparableConv2D:
      return "SeparableConv2D";
    case LayerKind::kMaxPool1D:
      return "MaxPooling1D";
    case LayerKind::kAvgPool1D:
      return "AveragePooling1D";
    case LayerKind::kMaxPool2D:
      return "MaxPooling2D";
    case LayerKind::kAvgPool2D:
      return "AveragePooling2D";
    case LayerKind::kGlobalMaxPool1D:
      return "GlobalMaxPooling1D";
    case LayerKind::kGlobalAvgPool1D:
      return "GlobalAveragePooling1D";
    case LayerKind::kGlobalMaxPool2D:
      return "GlobalMaxPooling2D";
    case LayerKind::kGlobalAvgPool2D:
      return "GlobalAveragePooling2D";
    case LayerKind::kZeroPadding2D:
      return "ZeroPadding2D";
    case LayerKind::kCropping2D:
      return "Cropping2D";
    case LayerKind::kUpSampling2D:
      return "UpSampling2D";
    case LayerKind::kBatchNorm:
      return "BatchNormalization";
    case LayerKind::kActivation:
      return "Activation";
    case LayerKind::kDropout:
      return "Dropout";
    case LayerKind::kFlatten:
      return "Flatten";
    case LayerKind::kDense:
      return "Dense";
    case LayerKind::kAdd:
      return "Add";
    case LayerKind::kConcatenate:
      return "Concatenate";
  }
  return "?";
}

bool is_windowed(LayerKind kind) {
  switch (kind) {
    case LayerKind::kConv1D:
    case LayerKind::kConv2D:
    case LayerKind::kConv2DTranspose:
    case LayerKind::kDepthwiseConv2D:
    case LayerKind::kSeparableConv2D:
    case LayerKind::kMaxPool1D:
    case LayerKind::kAvgPool1D:
    case LayerKind::kMaxPool2D:
    case LayerKind::kAvgPool2D:
      return true;
    default:
      return false;
  }
}

bool is_1d(LayerKind kind) {
  return kind == LayerKind::kConv1D || kind == LayerKind::kMaxPool1D ||
         kind == LayerKind::kAvgPool1D || kind == LayerKind::kGlobalMaxPool1D ||
         kind == LayerKind::kGlobalAvgPool1D;
}

bool is_merge(LayerKind kind) { return kind == LayerKind::kAdd || kind == LayerKind::kConcatenate; }

namespace {

bool is_pooling(LayerKind kind) {
  return kind == LayerKind::kMaxPool1D || kind == LayerKind::kAvgPool1D ||
         kind == LayerKind::kMaxPool2D || kind == LayerKind::kAvgPool2D;
}

bool is_conv(LayerKind kind) { return is_windowed(kind) && !is_pooling(kind); }

}  // namespace

Pair2D LayerSpec::effective_strides() const {
  if (strides) return *strides;
  return is_pooling(kind) ? kernel_size : Pair2D{1, 1};
}

bool is_known_activation(std::string_view name) {
  static constexpr std::array<std::string_view, 17> kNames = {
      "linear",   "relu",         "relu6",     "sigmoid",    "tanh",       "softmax",
      "elu",      "selu",         "gelu",      "swish",      "silu",       "softplus",
      "softsign", "hard_sigmoid", "hard_silu", "leaky_relu", "exponential"};
  return std::find(kNames.begin(), kNames.end(), name) != kNames.end();
}

std::size_t Architecture::index_of(std::string_view wanted) const {
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if (layers[i].name == wanted) return i;
  }
  std::vector<std::string_view> some;
  for (std::size_t i = 0; i < layers.size() && some.size() < 8; ++i) some.push_back(layers[i].name);
  throw InvalidArgument(fmt::format("model '{}': no layer named '{}'; layers are {}{}", name,
                                    wanted, fmt::join(some, ", "),
                                    layers.size() > 8 ? ", ..." : ""));
}

std::vector<std::size_t> Architecture::input_indices(std::size_t i) const {
  std::vector<std::size_t> result;
  if (layers[i].kind == LayerKind::kInput) return result;
  if (layers[i].inputs.empty()) {
    if (i > 0) result.push_back(i - 1);
    return result;
  }
  for (const std::string& in : layers[i].inputs) result.push_back(index_of(in));
  return result;
}

void Architecture::validate() const {
  if (layers.empty()) throw InvalidArgument("model: no layers");
  if (layers.front().kind != LayerKind::kInput) {
    throw InvalidArgument(fmt::format("model: the first layer must be the input, got '{}' ({})",
                                      layers.front().name, keras_class_name(layers.front().kind)));
  }
  std::unordered_map<std::string_view, std::size_t> position;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const LayerSpec& layer = layers[i];
    const std::string where =
        fmt::format("layer '{}' ({})", layer.name, keras_class_name(layer.kind));
    if (layer.name.empty()) throw InvalidArgument(fmt::format("model: layer {} has no name", i));
    if (!position.emplace(layer.name, i).second) {
      throw InvalidArgument(fmt::format("model: two layers are named '{}'", layer.name));
    }
    if (layer.kind == LayerKind::kInput && !layer.inputs.empty()) {
      throw InvalidArgument(fmt::format("{}: an input layer reads nothing", where));
    }
    if (!layer.shares.empty()) {
      const auto found = position.find(layer.shares);
      if (found == position.end() || layers[found->second].kind != layer.kind) {
        throw InvalidArgument(fmt::format(
            "{}: shares the weights of '{}', which is not an earlier layer of the same type", where,
            layer.shares));
      }
    }
    for (const std::string& in : layer.inputs) {
      const auto found = position.find(in);
      if (found == position.end()) {
        const bool later =
            std::any_of(layers.begin() + static_cast<std::ptrdiff_t>(i), layers.end(),
                        [&](const LayerSpec& l) { return l.name == in; });
        throw InvalidArgument(
            later ? fmt::format("{}: reads '{}', which comes later (a cycle, or layers out of "
                                "order)",
                                where, in)
                  : fmt::format("{}: reads '{}', which is not a layer of the model", where, in));
      }
      if (found->second == i) {
        throw InvalidArgument(fmt::format("{}: reads its own output (a cycle)", where));
      }
    }
    const std::size_t arity = layer.inputs.empty() ? (i > 0 ? 1 : 0) : layer.inputs.size();
    if (is_merge(layer.kind) && arity < 2) {
      throw InvalidArgument(fmt::format("{}: needs at least 2 inputs, got {}", where, arity));
    }
    if (!is_merge(layer.kind) && layer.kind != LayerKind::kInput && arity != 1) {
      throw InvalidArgument(fmt::format("{}: takes exactly 1 input, got {}", where, arity));
    }
    const auto positive = [&](std::string_view what, Pair2D p) {
      if (p.h < 1 || p.w < 1) {
        throw InvalidArgument(fmt::format("{}: {} must be >= 1, got {}x{}", where, what, p.h, p.w));
      }
    };
    if (is_windowed(layer.kind)) {
      positive(is_pooling(layer.kind) ? "pool_size" : "kernel_size", layer.kernel_size);
      positive("strides", layer.effective_strides());
      positive("dilation_rate", layer.dilation);
    }
    if (is_conv(layer.kind) && layer.kind != LayerKind::kDepthwiseConv2D && layer.filters < 1) {
      throw InvalidArgument(fmt::format("{}: filters must be >= 1, got {}", where, layer.filters));
    }
    if (layer.kind == LayerKind::kDense && layer.filters < 1) {
      throw InvalidArgument(fmt::format("{}: units must be >= 1, got {}", where, layer.filters));
    }
    if (layer.groups < 1) {
      throw InvalidArgument(fmt::format("{}: groups must be >= 1, got {}", where, layer.groups));
    }
    if (layer.depth_multiplier < 1) {
      throw InvalidArgument(
          fmt::format("{}: depth_multiplier must be >= 1, got {}", where, layer.depth_multiplier));
    }
    if (layer.kind == LayerKind::kUpSampling2D) positive("size", layer.size);
    if (layer.kind == LayerKind::kDropout && !(layer.rate >= 0.0 && layer.rate < 1.0)) {
      throw InvalidArgument(fmt::format("{}: rate must be in [0, 1), got {}", where, layer.rate));
    }
    if ((layer.kind == LayerKind::kZeroPadding2D || layer.kind == LayerKind::kCropping2D) &&
        (layer.padding.top < 0 || layer.padding.bottom < 0 || layer.padding.left < 0 ||
         layer.padding.right < 0)) {
      throw InvalidArgument(
          fmt::format("{}: amounts must be >= 0, got {}", where, layer.padding.to_string()));
    }
    if (!is_known_activation(layer.activation)) {
      throw InvalidArgument(fmt::format("{}: unknown activation '{}'", where, layer.activation));
    }
  }
  for (const std::string& out : outputs) {
    if (!position.contains(out)) {
      throw InvalidArgument(fmt::format("model: output '{}' is not a layer of the model", out));
    }
  }
}

}  // namespace strider::model
