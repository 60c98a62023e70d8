#include "strider/analysis/summary.hpp"

#include <algorithm>

#include "strider/core/checked.hpp"

namespace strider::analysis {

ModelSummary summarize(const model::ResolvedModel& model) {
  const model::Architecture& arch = model.architecture;
  const std::vector<std::optional<Field>> fields = receptive_fields(model);
  ModelSummary summary;
  summary.name = arch.name;
  summary.input_shape = model.layers.front().output_shape;
  summary.params = model.params;
  summary.trainable_params = model.trainable_params;
  summary.non_trainable_params = model.non_trainable_params;
  summary.macs = model.macs;
  const Origin what{"summary", {}, "activation memory"};
  for (std::size_t i = 0; i < arch.layers.size(); ++i) {
    const model::LayerSpec& spec = arch.layers[i];
    const model::ResolvedLayer& layer = model.layers[i];
    LayerSummary s;
    s.index = i;
    s.name = spec.name;
    s.class_name = std::string(model::keras_class_name(spec.kind));
    s.end_point = spec.end_point;
    for (const std::size_t in : layer.inputs) s.inputs.push_back(arch.layers[in].name);
    s.output_shape = layer.output_shape;
    if (layer.height && layer.width) {
      s.pads_height = AxisPads{layer.height->pad_before(), layer.height->pad_after()};
      s.pads_width = AxisPads{layer.width->pad_before(), layer.width->pad_after()};
    } else if (spec.kind == model::LayerKind::kZeroPadding2D) {
      s.pads_height = AxisPads{spec.padding.top, spec.padding.bottom};
      s.pads_width = AxisPads{spec.padding.left, spec.padding.right};
    }
    s.params = layer.params;
    s.trainable_params = layer.trainable_params;
    s.non_trainable_params = layer.non_trainable_params;
    s.macs = layer.macs;
    s.activation_bytes = checked_mul(checked_product(layer.output_shape, what), 4, what);
    s.field = fields[i];
    summary.activation_bytes = checked_add(summary.activation_bytes, s.activation_bytes, what);
    summary.layers.push_back(std::move(s));
  }

  // Liveness: an output lives from its layer until the last layer that reads it.
  std::vector<std::size_t> last_use(arch.layers.size());
  for (std::size_t i = 0; i < arch.layers.size(); ++i) {
    last_use[i] = i;
    for (const std::size_t in : model.layers[i].inputs) last_use[in] = std::max(last_use[in], i);
  }
  for (const std::string& out : arch.outputs) last_use[arch.index_of(out)] = arch.layers.size();
  last_use.back() = arch.layers.size();
  std::int64_t live = 0;
  for (std::size_t i = 0; i < arch.layers.size(); ++i) {
    live = checked_add(live, summary.layers[i].activation_bytes, what);
    summary.peak_activation_bytes = std::max(summary.peak_activation_bytes, live);
    for (std::size_t j = 0; j <= i; ++j) {
      if (last_use[j] == i) live -= summary.layers[j].activation_bytes;
    }
  }
  return summary;
}

}  // namespace strider::analysis
