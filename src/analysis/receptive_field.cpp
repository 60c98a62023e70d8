#include "strider/analysis/receptive_field.hpp"

#include "strider/core/checked.hpp"

namespace strider::analysis {
namespace {

using model::LayerKind;

// One window of `effective_kernel` taps, `stride` apart steps, `pad_before` cells of padding,
// applied after `in`.
AxisField compose(const AxisField& in, std::int64_t effective_kernel, std::int64_t stride,
                  std::int64_t pad_before) {
  const Origin what{"receptive field"};
  AxisField out;
  out.size = checked_add(in.size, checked_mul(effective_kernel - 1, in.stride, what), what);
  out.stride = checked_mul(in.stride, stride, what);
  out.padding = checked_add(in.padding, checked_mul(pad_before, in.stride, what), what);
  return out;
}

AxisField compose(const AxisField& in, const Window& w) {
  return compose(in, w.effective_kernel_size(), w.stride(), w.pad_before());
}

// receptive_field keeps, per axis, the path with the larger field: a merge of a 1x3 and a 3x1
// branch sees three rows and three columns.
bool bigger(const AxisField& a, const AxisField& b) {
  if (a.size != b.size) return a.size > b.size;
  return a.padding > b.padding;
}

}  // namespace

std::vector<std::optional<Field>> receptive_fields(const model::ResolvedModel& model) {
  const auto& layers = model.architecture.layers;
  std::vector<std::optional<Field>> fields(layers.size());
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const model::LayerSpec& spec = layers[i];
    const model::ResolvedLayer& layer = model.layers[i];
    if (spec.kind == LayerKind::kInput) {
      fields[i] = Field{};
      continue;
    }
    bool defined = true;
    for (const std::size_t in : layer.inputs) defined = defined && fields[in].has_value();
    if (!defined) continue;
    const Field& in = *fields[layer.inputs.front()];
    const Shape& in_shape = layer.input_shapes.front();
    switch (spec.kind) {
      case LayerKind::kConv2DTranspose:
      case LayerKind::kUpSampling2D:
        break;  // fractional stride: undefined
      case LayerKind::kZeroPadding2D:
        fields[i] = Field{compose(in.height, 1, 1, spec.padding.top),
                          compose(in.width, 1, 1, spec.padding.left)};
        break;
      case LayerKind::kCropping2D:
        fields[i] = Field{compose(in.height, 1, 1, -spec.padding.top),
                          compose(in.width, 1, 1, -spec.padding.left)};
        break;
      case LayerKind::kAdd:
      case LayerKind::kConcatenate: {
        Field best = in;
        for (const std::size_t other : layer.inputs) {
          if (bigger(fields[other]->height, best.height)) best.height = fields[other]->height;
          if (bigger(fields[other]->width, best.width)) best.width = fields[other]->width;
        }
        fields[i] = best;
        break;
      }
      default:
        if (layer.height && layer.width) {
          fields[i] = Field{compose(in.height, *layer.height), compose(in.width, *layer.width)};
        } else if (layer.output_shape.size() == 1 && in_shape.size() >= 2) {
          // Global pooling and Flatten: one window over the whole input.
          const bool one_d = in_shape.size() == 2;
          const std::int64_t h = one_d ? 1 : in_shape[0], w = in_shape[one_d ? 0 : 1];
          fields[i] = Field{compose(in.height, h, h, 0), compose(in.width, w, w, 0)};
        } else {
          fields[i] = in;  // element-wise or per-position layers
        }
        break;
    }
  }
  return fields;
}

}  // namespace strider::analysis
