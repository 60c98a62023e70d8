// An architecture resolved for one input size: every layer's input and output shapes, the windows
// of its sliding-window axes (from geometry), and its parameter and MAC counts as Keras counts
// them. Analysis (summary, lint, inspect) and the pictures read this; nothing here runs a kernel.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "strider/core/tensor.hpp"
#include "strider/geometry/window.hpp"
#include "strider/model/architecture.hpp"

namespace strider::model {

struct ResolvedLayer {
  std::vector<std::size_t> inputs;  // indices of the layers read
  std::vector<Shape> input_shapes;  // without the batch axis
  Shape output_shape;               // without the batch axis: (H, W, C), (L, C) or (units)
  // Sliding-window layers: the forward window of each spatial axis (1-D layers: `height` is the
  // trivial window of one row). For Conv2DTranspose these are the forward windows over the
  // OUTPUT, whose output size is this layer's input size (the transposed op reads them back).
  std::optional<Window> height, width;
  std::int64_t params = 0;
  std::int64_t trainable_params = 0;
  std::int64_t non_trainable_params = 0;
  // Multiply-accumulates of one image (batch 1): convolutions, depthwise, transposed and Dense.
  // Pooling, normalisation and element-wise layers count 0.
  std::int64_t macs = 0;
};

struct ResolvedModel {
  Architecture architecture;
  std::vector<ResolvedLayer> layers;  // parallel to architecture.layers
  std::int64_t params = 0, trainable_params = 0, non_trainable_params = 0, macs = 0;
};

// Resolves `architecture` (validated first) for `input_shape` (without the batch axis), or for the
// input layer's own shape when `input_shape` is empty; with several input layers, `input_shape`
// applies to each of them. A 2-element `input_shape` (H, W) given to a
// 2-D model keeps the model's channel count. Throws InvalidArgument when no size is known and
// ShapeError naming the layer when shapes do not fit (channel counts, windows larger than their
// input, Add of different shapes, overflow).
ResolvedModel resolve(const Architecture& architecture, const Shape& input_shape = {});

}  // namespace strider::model
