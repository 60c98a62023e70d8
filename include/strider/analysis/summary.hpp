// The per-layer report of `strider summary` (and of the experiment's variants): shapes, pads,
// parameters, MACs, activation memory and receptive fields, from geometry alone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "strider/analysis/receptive_field.hpp"
#include "strider/model/resolve.hpp"

namespace strider::analysis {

struct AxisPads {
  std::int64_t before = 0, after = 0;
};

struct LayerSummary {
  std::size_t index = 0;
  std::string name;
  std::string class_name;  // Keras's
  std::string end_point;   // TF-Slim end point name, when the layer has one
  std::vector<std::string> inputs;
  Shape output_shape;  // without the batch axis
  // Sliding-window layers: padding cells before/after per axis (ZeroPadding2D: its amounts).
  std::optional<AxisPads> pads_height, pads_width;
  std::int64_t params = 0, trainable_params = 0, non_trainable_params = 0;
  std::int64_t macs = 0;
  std::int64_t activation_bytes = 0;  // the output, float32, batch 1
  std::optional<Field> field;         // nullopt where the stride is fractional
};

struct ModelSummary {
  std::string name;
  Shape input_shape;
  std::vector<LayerSummary> layers;  // the input layer first
  std::int64_t params = 0, trainable_params = 0, non_trainable_params = 0, macs = 0;
  std::int64_t activation_bytes = 0;  // sum over layers
  // The most activation memory alive at once in a forward pass at batch 1, when every output is
  // freed after the last layer that reads it (model outputs are kept).
  std::int64_t peak_activation_bytes = 0;
};

ModelSummary summarize(const model::ResolvedModel& model);

}  // namespace strider::analysis
