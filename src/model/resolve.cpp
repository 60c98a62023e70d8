#include "strider/model/resolve.hpp"

#include <fmt/format.h>

#include <string>

#include "strider/core/checked.hpp"
#include "strider/core/error.hpp"
#include "strider/geometry/conv2d_transpose_geometry.hpp"
#include "strider/geometry/pool2d_geometry.hpp"

namespace strider::model {
namespace {

// Resolves one layer; `where` ("layer 'conv2' (Conv2D)") starts every error message.
class LayerResolver {
 public:
  LayerResolver(const LayerSpec& spec, ResolvedLayer& out)
      : spec_(spec),
        out_(out),
        where_(fmt::format("layer '{}' ({})", spec.name, keras_class_name(spec.kind))) {}

  void run() {
    switch (spec_.kind) {
      case LayerKind::kInput:
        break;
      case LayerKind::kConv1D:
      case LayerKind::kConv2D:
        conv();
        break;
      case LayerKind::kConv2DTranspose:
        conv_transpose();
        break;
      case LayerKind::kDepthwiseConv2D:
      case LayerKind::kSeparableConv2D:
        depthwise();
        break;
      case LayerKind::kMaxPool1D:
      case LayerKind::kAvgPool1D:
      case LayerKind::kMaxPool2D:
      case LayerKind::kAvgPool2D:
        pool();
        break;
      case LayerKind::kGlobalMaxPool1D:
      case LayerKind::kGlobalAvgPool1D:
      case LayerKind::kGlobalMaxPool2D:
      case LayerKind::kGlobalAvgPool2D: {
        const Shape& in = spatial(is_1d(spec_.kind) ? 2 : 3);
        out_.output_shape = {in.back()};
        break;
      }
      case LayerKind::kZeroPadding2D:
      case LayerKind::kCropping2D:
        pad_or_crop();
        break;
      case LayerKind::kUpSampling2D: {
        const Shape& in = spatial(3);
        out_.output_shape = {checked_mul(in[0], spec_.size.h, where_),
                             checked_mul(in[1], spec_.size.w, where_), in[2]};
        break;
      }
      case LayerKind::kBatchNorm: {
        const std::int64_t c = input().back();
        out_.output_shape = input();
        const std::int64_t learned = (spec_.center ? c : 0) + (spec_.scale ? c : 0);
        set_params(learned, checked_mul(2, c, where_));
        break;
      }
      case LayerKind::kActivation:
      case LayerKind::kDropout:
        out_.output_shape = input();
        break;
      case LayerKind::kFlatten:
        out_.output_shape = {checked_product(input(), where_)};
        break;
      case LayerKind::kDense:
        dense();
        break;
      case LayerKind::kAdd:
        add();
        break;
      case LayerKind::kConcatenate:
        concatenate();
        break;
    }
  }

 private:
  const Shape& input() const { return out_.input_shapes.front(); }

  // The input, which must have `rank` axes (3: H, W, C; 2: L, C).
  const Shape& spatial(std::size_t rank) const {
    const Shape& in = input();
    if (in.size() != rank) {
      throw ShapeError(fmt::format("{}: expects input of rank {} ({}), got {}", where_, rank,
                                   rank == 3 ? "height, width, channels" : "length, channels",
                                   format_shape(in)));
    }
    return in;
  }

  // The input as NHWC with batch 1; 1-D inputs (L, C) become (1, 1, L, C).
  Shape as_nhwc() const {
    if (is_1d(spec_.kind)) {
      const Shape& in = spatial(2);
      return {1, 1, in[0], in[1]};
    }
    const Shape& in = spatial(3);
    return {1, in[0], in[1], in[2]};
  }

  // The NHWC result shape without its batch axis, in the layer's own rank.
  void set_output(const Shape& nhwc) {
    if (is_1d(spec_.kind)) {
      out_.output_shape = {nhwc[2], nhwc[3]};
    } else {
      out_.output_shape = {nhwc[1], nhwc[2], nhwc[3]};
    }
  }

  void set_params(std::int64_t trainable, std::int64_t non_trainable) {
    out_.trainable_params = trainable;
    out_.non_trainable_params = non_trainable;
    out_.params = checked_add(trainable, non_trainable, where_);
  }

  // 1-D layers keep their length-axis values in `w`; their height is one row.
  Pair2D axes(Pair2D p) const { return is_1d(spec_.kind) ? Pair2D{1, p.w} : p; }

  Conv2DParams conv_params() const {
    return {axes(spec_.effective_strides()), axes(spec_.dilation), spec_.padding, spec_.groups};
  }

  void conv() {
    const Shape in = as_nhwc();
    const std::int64_t channels = in[3];
    if (channels % spec_.groups != 0) {
      throw ShapeError(fmt::format("{}: groups ({}) must divide the input channels ({})", where_,
                                   spec_.groups, channels));
    }
    const Shape filter = {axes(spec_.kernel_size).h, spec_.kernel_size.w, channels / spec_.groups,
                          spec_.filters};
    const Conv2DGeometry g = Conv2DGeometry::make(in, filter, conv_params(), where_);
    set_output(g.output_shape());
    out_.height = g.height;
    out_.width = g.width;
    set_params(g.params(spec_.use_bias), 0);
    out_.macs = g.macs();
  }

  void depthwise() {
    const Shape in = as_nhwc();
    const std::int64_t channels = in[3];
    const Shape filter = {spec_.kernel_size.h, spec_.kernel_size.w, channels,
                          spec_.depth_multiplier};
    const Conv2DGeometry g = Conv2DGeometry::make_depthwise(in, filter, conv_params(), where_);
    out_.height = g.height;
    out_.width = g.width;
    Shape out = g.output_shape();
    if (spec_.kind == LayerKind::kDepthwiseConv2D) {
      set_params(g.params(spec_.use_bias), 0);
      out_.macs = g.macs();
    } else {
      // SeparableConv2D: the depthwise step (no bias of its own) then a 1x1 convolution.
      const Origin what{where_, {}, "parameters"};
      const std::int64_t mid = out[3];
      const std::int64_t pointwise = checked_mul(mid, spec_.filters, what);
      set_params(checked_add(checked_add(g.params(false), pointwise, what),
                             spec_.use_bias ? spec_.filters : 0, what),
                 0);
      out_.macs = checked_add(
          g.macs(), checked_mul(checked_mul(out[1], out[2], what), pointwise, what), what);
      out[3] = spec_.filters;
    }
    set_output(out);
  }

  void conv_transpose() {
    const Shape in = as_nhwc();
    if (spec_.groups != 1) {
      throw InvalidArgument(fmt::format("{}: groups must be 1, got {}", where_, spec_.groups));
    }
    Conv2DTransposeParams params;
    params.strides = spec_.effective_strides();
    params.dilation = spec_.dilation;
    params.padding = spec_.padding;
    params.output_padding = spec_.output_padding;
    const Shape filter = {spec_.kernel_size.h, spec_.kernel_size.w, spec_.filters, in[3]};
    const Conv2DTransposeGeometry g = Conv2DTransposeGeometry::make(in, filter, params, where_);
    set_output(g.output_shape());
    out_.height = g.height;
    out_.width = g.width;
    set_params(g.params(spec_.use_bias), 0);
    out_.macs = g.macs();
  }

  void pool() {
    const Shape in = as_nhwc();
    Pool2DParams params;
    params.pool_size = axes(spec_.kernel_size);
    params.strides = axes(spec_.effective_strides());
    params.padding = spec_.padding;
    const Pool2DGeometry g = Pool2DGeometry::make(in, params, where_);
    set_output(g.output_shape());
    out_.height = g.height;
    out_.width = g.width;
  }

  void pad_or_crop() {
    const Shape& in = spatial(3);
    const Padding2D& p = spec_.padding;
    if (spec_.kind == LayerKind::kZeroPadding2D) {
      out_.output_shape = {checked_add(in[0], checked_add(p.top, p.bottom, where_), where_),
                           checked_add(in[1], checked_add(p.left, p.right, where_), where_), in[2]};
      return;
    }
    const std::int64_t h = in[0] - p.top - p.bottom, w = in[1] - p.left - p.right;
    if (p.top > in[0] || p.bottom > in[0] || h < 1 || p.left > in[1] || p.right > in[1] || w < 1) {
      throw ShapeError(fmt::format(
          "{}: cropping {},{} rows and {},{} columns leaves nothing of an input of {}x{}", where_,
          p.top, p.bottom, p.left, p.right, in[0], in[1]));
    }
    out_.output_shape = {h, w, in[2]};
  }

  void dense() {
    const Shape& in = input();
    Shape out = in;
    out.back() = spec_.filters;
    out_.output_shape = out;
    const Origin what{where_, {}, "parameters"};
    set_params(checked_add(checked_mul(in.back(), spec_.filters, what),
                           spec_.use_bias ? spec_.filters : 0, what),
               0);
    out_.macs = checked_mul(checked_product(in, what), spec_.filters, what);
  }

  void add() {
    for (const Shape& s : out_.input_shapes) {
      if (s != input()) {
        throw ShapeError(fmt::format("{}: inputs must have equal shapes, got {} and {}", where_,
                                     format_shape(input()), format_shape(s)));
      }
    }
    out_.output_shape = input();
  }

  void concatenate() {
    const auto rank = static_cast<std::int64_t>(input().size());
    // Keras counts the batch axis: axis 3 of an NHWC tensor is the channels, as is -1.
    const std::int64_t axis = spec_.axis < 0 ? rank + spec_.axis : spec_.axis - 1;
    if (axis < 0 || axis >= rank) {
      throw ShapeError(fmt::format("{}: axis {} is out of range for inputs of rank {} (+ batch)",
                                   where_, spec_.axis, rank));
    }
    Shape out = input();
    out[static_cast<std::size_t>(axis)] = 0;
    for (const Shape& s : out_.input_shapes) {
      bool fits = s.size() == out.size();
      for (std::size_t a = 0; fits && a < s.size(); ++a) {
        fits = static_cast<std::int64_t>(a) == axis || s[a] == input()[a];
      }
      if (!fits) {
        throw ShapeError(fmt::format(
            "{}: inputs must agree on every axis but the concatenation axis {}, got {} and {}",
            where_, spec_.axis, format_shape(input()), format_shape(s)));
      }
      out[static_cast<std::size_t>(axis)] = checked_add(out[static_cast<std::size_t>(axis)],
                                                        s[static_cast<std::size_t>(axis)], where_);
    }
    out_.output_shape = out;
  }

  const LayerSpec& spec_;
  ResolvedLayer& out_;
  std::string where_;
};

Shape model_input_shape(const LayerSpec& input, const Shape& requested) {
  Shape shape = input.input_shape;
  if (!requested.empty()) {
    if (requested.size() == 2 && shape.size() == 3) {
      shape = {requested[0], requested[1], shape[2]};
    } else {
      shape = requested;
    }
  }
  if (shape.empty()) {
    throw InvalidArgument(
        fmt::format("input '{}': the model does not fix its input size; give one (--input H,W[,C])",
                    input.name));
  }
  for (const std::int64_t extent : shape) {
    if (extent < 1) {
      throw InvalidArgument(fmt::format(
          "input '{}': every extent must be >= 1, got {}{}", input.name, format_shape(shape),
          input.input_shape.empty() || requested.empty()
              ? std::string(" (the model leaves it open; give --input H,W[,C])")
              : std::string()));
    }
  }
  checked_product(shape, "model input");
  return shape;
}

}  // namespace

ResolvedModel resolve(const Architecture& architecture, const Shape& input_shape) {
  architecture.validate();
  ResolvedModel model;
  model.architecture = architecture;
  model.layers.resize(architecture.layers.size());
  for (std::size_t i = 0; i < architecture.layers.size(); ++i) {
    const LayerSpec& spec = architecture.layers[i];
    ResolvedLayer& layer = model.layers[i];
    if (spec.kind == LayerKind::kInput) {
      layer.output_shape = model_input_shape(spec, input_shape);
      continue;
    }
    layer.inputs = architecture.input_indices(i);
    for (const std::size_t in : layer.inputs) {
      layer.input_shapes.push_back(model.layers[in].output_shape);
    }
    LayerResolver(spec, layer).run();
    checked_product(layer.output_shape, "model activation");
    if (!spec.shares.empty()) {
      // Counted once, on the layer that owns the weights.
      layer.params = layer.trainable_params = layer.non_trainable_params = 0;
    } else if (!spec.trainable) {
      layer.non_trainable_params = layer.params;
      layer.trainable_params = 0;
    }
    const Origin what{"model", {}, "totals"};
    model.params = checked_add(model.params, layer.params, what);
    model.trainable_params = checked_add(model.trainable_params, layer.trainable_params, what);
    model.non_trainable_params =
        checked_add(model.non_trainable_params, layer.non_trainable_params, what);
    model.macs = checked_add(model.macs, layer.macs, what);
  }
  return model;
}

}  // namespace strider::model
