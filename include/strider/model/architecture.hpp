// A model's architecture without weights: the layers, their settings and how they connect. The
// compact spec grammar, the Keras JSON reader and the built-in models all produce one; analysis
// resolves it against an input size (geometry only) and training builds layers from it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strider/core/tensor.hpp"
#include "strider/geometry/conv2d_geometry.hpp"

namespace strider::model {

enum class LayerKind {
  kInput,
  kConv1D,
  kConv2D,
  kConv2DTranspose,
  kDepthwiseConv2D,
  kSeparableConv2D,
  kMaxPool1D,
  kAvgPool1D,
  kMaxPool2D,
  kAvgPool2D,
  kGlobalMaxPool1D,
  kGlobalAvgPool1D,
  kGlobalMaxPool2D,
  kGlobalAvgPool2D,
  kZeroPadding2D,
  kCropping2D,
  kUpSampling2D,
  kBatchNorm,
  kActivation,
  kDropout,
  kFlatten,
  kDense,
  kAdd,
  kConcatenate,
};

// Keras's class name of a kind ("Conv2D", "MaxPooling2D", "BatchNormalization", ...).
std::string_view keras_class_name(LayerKind kind);

// The layer types whose windows slide over the input (conv, pooling of any kind but global).
bool is_windowed(LayerKind kind);
// Conv1D, pooling 1D and global pooling 1D: tensors (length, channels).
bool is_1d(LayerKind kind);
// Add and Concatenate: two or more inputs.
bool is_merge(LayerKind kind);

// One layer's settings, Keras's defaults where Keras has them. Only the fields of the layer's
// kind are read. 1-D layers keep their length-axis values in the `w` members (h is ignored).
struct LayerSpec {
  std::string name;
  LayerKind kind = LayerKind::kInput;
  // Names of the layers whose outputs this one reads; empty means "the layer before" (and for
  // the first layer, the model's input).
  std::vector<std::string> inputs;

  Shape input_shape;  // kInput only: without the batch axis, e.g. {28, 28, 1}; 0 = unknown

  std::int64_t filters = 0;       // conv kinds (pointwise filters for SeparableConv2D); Dense units
  Pair2D kernel_size{1, 1};       // conv kinds; pool size for pooling
  std::optional<Pair2D> strides;  // omitted: 1 for convolution, the pool size for pooling
  Pair2D dilation{1, 1};
  Padding2D padding = Padding2D::valid();  // kCausal for Conv1D "causal"; amounts for ZeroPadding2D
                                           // and (as crop amounts) Cropping2D
  std::int64_t groups = 1;
  std::int64_t depth_multiplier = 1;
  bool use_bias = true;
  std::optional<Pair2D> output_padding;  // Conv2DTranspose
  std::string activation = "linear";     // fused activation, or the Activation layer's function
  Pair2D size{2, 2};                     // UpSampling2D factors
  bool center = true, scale = true;      // BatchNormalization
  double rate = 0.0;                     // Dropout
  std::int64_t axis = -1;                // Concatenate
  // Keras's `trainable: false` makes every parameter of the layer count as non-trainable.
  bool trainable = true;
  // The layer whose weights this one reuses (a Keras layer called on several inputs appears once
  // per call); its parameters count once, on the first.
  std::string shares;
  // TF-Slim style end point name this layer's output is known by ("vgg_16/conv5/conv5_2"); empty
  // when it has none.
  std::string end_point;

  Pair2D effective_strides() const;
};

// Layers in an order where every layer comes after the layers it reads. The first layer is an
// input (kind kInput); a model with several inputs has more kInput layers, which read nothing.
// `outputs` names the model's outputs (default: the last layer).
struct Architecture {
  std::string name;
  std::vector<LayerSpec> layers;
  std::vector<std::string> outputs;

  // Checks names (non-empty, unique), that every input names an earlier layer (so there are no
  // cycles), that the first layer is an input, that `shares` names an earlier layer of the same
  // kind, merge arity and value ranges that do not depend on the
  // input size (sizes, strides, dilation, groups >= 1; dropout rate in [0, 1); activation known).
  // Throws InvalidArgument naming the layer.
  void validate() const;

  // Index of the layer named `name`, or throws InvalidArgument listing a few names.
  std::size_t index_of(std::string_view name) const;
  // The input indices of layer i (resolving "the layer before").
  std::vector<std::size_t> input_indices(std::size_t i) const;
};

// Activations the analysis accepts by name (Keras names): linear, relu, relu6, sigmoid, tanh,
// softmax, elu, selu, gelu, swish/silu, softplus, softsign, hard_sigmoid, leaky_relu, exponential.
bool is_known_activation(std::string_view name);

}  // namespace strider::model
