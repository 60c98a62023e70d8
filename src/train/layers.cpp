// The trainer's layers: forward with the fast ops (bias and ReLU fused where the op has them),
// backward with the gradient ops of strider/ops/backward.hpp.
#include "train/layers.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "kernels/row_sums.hpp"
#include "strider/core/error.hpp"
#include "strider/core/random.hpp"
#include "strider/nn/initializers.hpp"
#include "strider/ops/backward.hpp"
#include "strider/ops/conv2d.hpp"
#include "strider/ops/conv2d_transpose.hpp"
#include "strider/ops/dense.hpp"
#include "strider/ops/depthwise_conv2d.hpp"
#include "strider/ops/pool2d.hpp"
#include "train/parallel.hpp"

namespace strider::train::detail {

using model::LayerKind;
using model::LayerSpec;

Parameter& Layer::add_parameter(std::string name, Tensor value, bool trainable) {
  Parameter& p = parameters_.emplace_back();
  p.name = std::move(name);
  p.grad = trainable ? Tensor(value.shape()) : Tensor();
  p.value = std::move(value);
  p.trainable = trainable;
  return p;
}

namespace {

// FNV-1a: a parameter's name picks its random stream, so adding a layer leaves the others' initial
// weights as they were.
std::uint64_t hash_name(std::string_view name) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

Tensor filled(const Shape& shape, float value) {
  Tensor t(shape);
  std::fill(t.values().begin(), t.values().end(), value);
  return t;
}

// Elements of every axis but the last: the rows of a [..., C] tensor.
std::int64_t rows_of(const Tensor& t) {
  const std::int64_t width = t.shape().back();
  return width == 0 ? 0 : t.size() / width;
}

// A [rows, cols] matrix transposed.
Tensor transpose2d(const float* a, std::int64_t rows, std::int64_t cols) {
  Tensor out = Tensor::uninitialized({cols, rows});
  float* o = out.data();
  constexpr std::int64_t kBlock = 32;
  for_each_index((rows + kBlock - 1) / kBlock, kBlock * cols, [&](std::int64_t rb) {
    const std::int64_t r_end = std::min(rows, (rb + 1) * kBlock);
    for (std::int64_t c = 0; c < cols; ++c) {
      for (std::int64_t r = rb * kBlock; r < r_end; ++r) o[c * rows + r] = a[r * cols + c];
    }
  });
  return out;
}

// Fixed-size chunks of rows for per-channel sums: the partial sums and their order depend on the
// row count only, never on the thread count.
constexpr std::int64_t kSumChunks = 16;

// sums[c] = sum over rows r of row r's terms for a [rows, width] layout, in double:
// add_rows(r, n, p) adds the terms of rows [r, r + n) for each c to p[c] (kernels::RowSums,
// compiled per ISA: at the SSE2 baseline the double sums ran two lanes at a time, 9% of a stride-1
// network's step).
template <class AddRows>
std::vector<double> column_sums(std::int64_t rows, std::int64_t width, const AddRows& add_rows) {
  const std::int64_t chunks = std::max<std::int64_t>(1, std::min(kSumChunks, rows));
  std::vector<double> partial(static_cast<std::size_t>(chunks * width), 0.0);
  for_each_index(chunks, (rows / chunks) * width, [&](std::int64_t chunk) {
    const std::int64_t begin = rows * chunk / chunks, end = rows * (chunk + 1) / chunks;
    double* p = partial.data() + chunk * width;
    add_rows(begin, end - begin, p);
  });
  std::vector<double> sums(static_cast<std::size_t>(width), 0.0);
  for (std::int64_t chunk = 0; chunk < chunks; ++chunk) {
    for (std::int64_t c = 0; c < width; ++c) sums[c] += partial[chunk * width + c];
  }
  return sums;
}

std::string where(const LayerSpec& spec) {
  return fmt::format("train: layer '{}' ({})", spec.name, model::keras_class_name(spec.kind));
}

// The activation's backward, in place on g, then the bias gradient of the result when `bias` is
// set. With ReLU the mask and the bias sums are one pass over g (relu_bias_backward).
void activation_and_bias_backward(Act act, const Tensor& out, Tensor& g, Parameter* bias) {
  if (bias != nullptr && act == Act::kRelu) {
    bias->grad = relu_bias_backward(out, g);
    return;
  }
  activation_backward(act, out, g);
  if (bias != nullptr) bias->grad = bias_backward(g);
}

// Shared by the layers that carry Keras's `activation=` argument: ReLU (and linear) fuse into the
// op's output loop, the others run after it.
class WithActivation : public Layer {
 public:
  explicit WithActivation(Act act) : act_(act) {}

  bool strip_softmax() override {
    if (act_ != Act::kSoftmax) return false;
    act_ = Act::kLinear;
    return true;
  }

 protected:
  Activation fused() const { return act_ == Act::kRelu ? Activation::kRelu : Activation::kLinear; }
  void finish(Tensor& output) const {
    if (act_ != Act::kRelu) activation_forward(act_, output);
  }

  Act act_;
};

class Conv2DLayer : public WithActivation {
 public:
  Conv2DLayer(const LayerSpec& spec, const model::ResolvedLayer& r, const NetworkOptions& o,
              std::uint64_t seed)
      : WithActivation(parse_act(spec.activation, where(spec))) {
    params_ = {spec.effective_strides(), spec.dilation, spec.padding, spec.groups};
    const Shape shape = {spec.kernel_size.h, spec.kernel_size.w,
                         r.input_shapes[0].back() / spec.groups, spec.filters};
    const std::string kernel_name = spec.name + "/kernel";
    kernel_ = &add_parameter(
        kernel_name, initial_kernel(shape, o.initializer, mix64(seed ^ hash_name(kernel_name))),
        spec.trainable);
    if (spec.use_bias)
      bias_ = &add_parameter(spec.name + "/bias", Tensor({spec.filters}), spec.trainable);
  }

  Tensor forward(std::span<const Tensor* const> in, const Context&) override {
    Tensor out =
        conv2d(*in[0], kernel_->value, bias_ ? &bias_->value : nullptr, {params_, fused(), {}});
    finish(out);
    return out;
  }

  std::vector<Tensor> backward(std::span<const Tensor* const> in, const Tensor& out, Tensor g,
                               const std::vector<bool>& want) override {
    if (!gradient_folded_) {
      activation_and_bias_backward(act_, out, g, kernel_->trainable ? bias_ : nullptr);
    }
    if (kernel_->trainable) {
      kernel_->grad = conv2d_backward_filter(*in[0], g, kernel_->value.shape(), params_);
    }
    std::vector<Tensor> result(1);
    if (want[0] && input_relu_bias_ != nullptr) {
      ReluBiasGradients folded =
          conv2d_backward_input_relu_bias(g, kernel_->value, *in[0], params_);
      input_relu_bias_->grad = std::move(folded.grad_bias);
      result[0] = std::move(folded.grad_input);
    } else if (want[0]) {
      result[0] = conv2d_backward_input(g, kernel_->value, in[0]->shape(), params_);
    }
    return result;
  }

  Parameter* relu_bias() override {
    return act_ == Act::kRelu && kernel_->trainable ? bias_ : nullptr;
  }

  bool fold_input_relu(Parameter* bias) override {
    input_relu_bias_ = bias;
    return true;
  }

 private:
  Conv2DParams params_;
  Parameter* kernel_ = nullptr;
  Parameter* bias_ = nullptr;
  Parameter* input_relu_bias_ = nullptr;  // the layer before's, when its ReLU is folded in here
};

class DepthwiseLayer : public WithActivation {
 public:
  // SeparableConv2D when `separable`: the depthwise step, then a 1x1 convolution with the bias.
  DepthwiseLayer(const LayerSpec& spec, const model::ResolvedLayer& r, const NetworkOptions& o,
                 std::uint64_t seed, bool separable)
      : WithActivation(parse_act(spec.activation, where(spec))) {
    options_.strides = spec.effective_strides();
    options_.dilation = spec.dilation;
    options_.padding = spec.padding;
    const std::int64_t channels = r.input_shapes[0].back();
    const std::string dw_name = spec.name + "/depthwise_kernel";
    depthwise_ = &add_parameter(
        dw_name,
        initial_kernel({spec.kernel_size.h, spec.kernel_size.w, channels, spec.depth_multiplier},
                       o.initializer, mix64(seed ^ hash_name(dw_name))),
        spec.trainable);
    std::int64_t bias_size = channels * spec.depth_multiplier;
    if (separable) {
      const std::string pw_name = spec.name + "/pointwise_kernel";
      pointwise_ =
          &add_parameter(pw_name,
                         initial_kernel({1, 1, channels * spec.depth_multiplier, spec.filters},
                                        o.initializer, mix64(seed ^ hash_name(pw_name))),
                         spec.trainable);
      bias_size = spec.filters;
    }
    if (spec.use_bias)
      bias_ = &add_parameter(spec.name + "/bias", Tensor({bias_size}), spec.trainable);
  }

  Tensor forward(std::span<const Tensor* const> in, const Context&) override {
    const Tensor* bias = bias_ ? &bias_->value : nullptr;
    DepthwiseConv2DOptions options = options_;
    if (pointwise_ == nullptr) {
      options.activation = fused();
      Tensor out = depthwise_conv2d(*in[0], depthwise_->value, bias, options);
      finish(out);
      return out;
    }
    middle_ = depthwise_conv2d(*in[0], depthwise_->value, nullptr, options);
    Tensor out = conv2d(middle_, pointwise_->value, bias, {{}, fused(), {}});
    finish(out);
    return out;
  }

  std::vector<Tensor> backward(std::span<const Tensor* const> in, const Tensor& out, Tensor g,
                               const std::vector<bool>& want) override {
    const bool train = depthwise_->trainable;
    activation_and_bias_backward(act_, out, g, train ? bias_ : nullptr);
    if (pointwise_ != nullptr) {
      if (train) {
        pointwise_->grad = conv2d_backward_filter(middle_, g, pointwise_->value.shape(), {});
      }
      g = conv2d_backward_input(g, pointwise_->value, middle_.shape(), {});
    }
    if (train) {
      depthwise_->grad =
          depthwise_conv2d_backward_filter(*in[0], g, depthwise_->value.shape(), options_);
    }
    std::vector<Tensor> result(1);
    if (want[0]) {
      result[0] = depthwise_conv2d_backward_input(g, depthwise_->value, in[0]->shape(), options_);
    }
    return result;
  }

 private:
  DepthwiseConv2DOptions options_;
  Parameter* depthwise_ = nullptr;
  Parameter* pointwise_ = nullptr;
  Parameter* bias_ = nullptr;
  Tensor middle_;  // the depthwise output of the last forward (separable only)
};

class Conv2DTransposeLayer : public WithActivation {
 public:
  Conv2DTransposeLayer(const LayerSpec& spec, const model::ResolvedLayer& r,
                       const NetworkOptions& o, std::uint64_t seed)
      : WithActivation(parse_act(spec.activation, where(spec))) {
    params_.strides = spec.effective_strides();
    params_.dilation = spec.dilation;
    params_.padding = spec.padding;
    params_.output_padding = spec.output_padding;
    const std::string kernel_name = spec.name + "/kernel";
    kernel_ = &add_parameter(kernel_name,
                             initial_kernel({spec.kernel_size.h, spec.kernel_size.w, spec.filters,
                                             r.input_shapes[0].back()},
                                            o.initializer, mix64(seed ^ hash_name(kernel_name))),
                             spec.trainable);
    if (spec.use_bias)
      bias_ = &add_parameter(spec.name + "/bias", Tensor({spec.filters}), spec.trainable);
  }

  Tensor forward(std::span<const Tensor* const> in, const Context&) override {
    Tensor out = conv2d_transpose(*in[0], kernel_->value, bias_ ? &bias_->value : nullptr,
                                  {params_, fused()});
    finish(out);
    return out;
  }

  std::vector<Tensor> backward(std::span<const Tensor* const> in, const Tensor& out, Tensor g,
                               const std::vector<bool>& want) override {
    activation_and_bias_backward(act_, out, g, kernel_->trainable ? bias_ : nullptr);
    if (kernel_->trainable) {
      kernel_->grad = conv2d_transpose_backward_filter(*in[0], g, kernel_->value.shape(), params_);
    }
    std::vector<Tensor> result(1);
    if (want[0]) {
      result[0] = conv2d_transpose_backward_input(g, kernel_->value, in[0]->shape(), params_);
    }
    return result;
  }

 private:
  Conv2DTransposeParams params_;
  Parameter* kernel_ = nullptr;
  Parameter* bias_ = nullptr;
};

class DenseLayer : public WithActivation {
 public:
  DenseLayer(const LayerSpec& spec, const model::ResolvedLayer& r, const NetworkOptions& o,
             std::uint64_t seed)
      : WithActivation(parse_act(spec.activation, where(spec))) {
    const std::string kernel_name = spec.name + "/kernel";
    kernel_ = &add_parameter(kernel_name,
                             initial_kernel({r.input_shapes[0].back(), spec.filters}, o.initializer,
                                            mix64(seed ^ hash_name(kernel_name))),
                             spec.trainable);
    if (spec.use_bias)
      bias_ = &add_parameter(spec.name + "/bias", Tensor({spec.filters}), spec.trainable);
  }

  Tensor forward(std::span<const Tensor* const> in, const Context&) override {
    Tensor out = dense(*in[0], kernel_->value, bias_ ? &bias_->value : nullptr, fused());
    finish(out);
    return out;
  }

  std::vector<Tensor> backward(std::span<const Tensor* const> in, const Tensor& out, Tensor g,
                               const std::vector<bool>& want) override {
    activation_and_bias_backward(act_, out, g, kernel_->trainable ? bias_ : nullptr);
    const Tensor& x = *in[0];
    const std::int64_t m = rows_of(x), k = x.shape().back(), n = kernel_->value.dim(1);
    g = std::move(g).reshaped({m, n});
    if (kernel_->trainable) {
      kernel_->grad = dense_backward_kernel(x, g);
    }
    std::vector<Tensor> result(1);
    if (want[0]) {
      result[0] = dense(g, transpose2d(kernel_->value.data(), k, n)).reshaped(x.shape());
    }
    return result;
  }

 private:
  Parameter* kernel_ = nullptr;
  Parameter* bias_ = nullptr;
};

class ActivationLayer : public WithActivation {
 public:
  explicit ActivationLayer(const LayerSpec& spec)
      : WithActivation(parse_act(spec.activation, where(spec))) {}

  Tensor forward(std::span<const Tensor* const> in, const Context&) override {
    return activation_output(act_, *in[0]);
  }

  std::vector<Tensor> backward(std::span<const Tensor* const>, const Tensor& out, Tensor g,
                               const std::vector<bool>&) override {
    activation_backward(act_, out, g);
    std::vector<Tensor> result;
    result.push_back(std::move(g));
    return result;
  }
};

class PoolLayer : public Layer {
 public:
  PoolLayer(const LayerSpec& spec, PoolOp op) : op_(op) {
    options_.params.pool_size = spec.kernel_size;
    options_.params.strides = spec.effective_strides();
    options_.params.padding = spec.padding;
  }

  Tensor forward(std::span<const Tensor* const> in, const Context&) override {
    return pool2d(op_, *in[0], options_);
  }

  std::vector<Tensor> backward(std::span<const Tensor* const> in, const Tensor&, Tensor g,
                               const std::vector<bool>& want) override {
    std::vector<Tensor> result(1);
    if (want[0]) result[0] = pool2d_backward(op_, *in[0], g, options_);
    return result;
  }

 private:
  PoolOp op_;
  Pool2DOptions options_;
};

class GlobalPoolLayer : public Layer {
 public:
  explicit GlobalPoolLayer(bool max) : max_(max) {}

  Tensor forward(std::span<const Tensor* const> in, const Context&) override {
    return max_ ? global_max_pool2d(*in[0]) : global_avg_pool2d(*in[0]);
  }

  std::vector<Tensor> backward(std::span<const Tensor* const> in, const Tensor&, Tensor g,
                               const std::vector<bool>& want) override {
    std::vector<Tensor> result(1);
    if (want[0]) {
      result[0] = max_ ? global_max_pool2d_backward(*in[0], g)
                       : global_avg_pool2d_backward(in[0]->shape(), g);
    }
    return result;
  }

 private:
  bool max_;
};

class FlattenLayer : public Layer {
 public:
  bool reshapes_only() const override { return true; }

  Tensor forward(std::span<const Tensor* const> in, const Context&) override {
    const Tensor& x = *in[0];
    const std::int64_t n = x.dim(0);
    return x.reshaped({n, n == 0 ? 0 : x.size() / n});
  }

  std::vector<Tensor> backward(std::span<const Tensor* const> in, const Tensor&, Tensor g,
                               const std::vector<bool>&) override {
    std::vector<Tensor> result;
    result.push_back(std::move(g).reshaped(in[0]->shape()));
    return result;
  }
};

// Copies the [h, w] window at (top, left) of each image of `from` [N, H, W, C] into `to`
// [N, h', w', C] at (to_top, to_left), h x w pixels. ZeroPadding2D, Cropping2D and their
// gradients are each one such copy.
void copy_window(const Tensor& from, std::int64_t top, std::int64_t left, Tensor& to,
                 std::int64_t to_top, std::int64_t to_left, std::int64_t h, std::int64_t w) {
  const std::int64_t n = from.dim(0), fh = from.dim(1), fw = from.dim(2), c = from.dim(3);
  const std::int64_t th = to.dim(1), tw = to.dim(2);
  const float* src = from.data();
  float* dst = to.data();
  for_each_index(n * h, w * c, [&](std::int64_t i) {
    const std::int64_t b = i / h, y = i % h;
    std::memcpy(dst + ((b * th + to_top + y) * tw + to_left) * c,
                src + ((b * fh + top + y) * fw + left) * c,
                static_cast<std::size_t>(w * c) * sizeof(float));
  });
}

class PadCropLayer : public Layer {
 public:
  PadCropLayer(const LayerSpec& spec, bool pad) : padding_(spec.padding), pad_(pad) {}

  Tensor forward(std::span<const Tensor* const> in, const Context&) override {
    return pad_ ? padded(*in[0]) : cropped(*in[0]);
  }

  std::vector<Tensor> backward(std::span<const Tensor* const>, const Tensor&, Tensor g,
                               const std::vector<bool>& want) override {
    std::vector<Tensor> result(1);
    if (want[0]) result[0] = pad_ ? cropped(g) : padded(g);
    return result;
  }

 private:
  Tensor padded(const Tensor& x) const {
    Tensor out({x.dim(0), x.dim(1) + padding_.top + padding_.bottom,
                x.dim(2) + padding_.left + padding_.right, x.dim(3)});
    copy_window(x, 0, 0, out, padding_.top, padding_.left, x.dim(1), x.dim(2));
    return out;
  }
  Tensor cropped(const Tensor& x) const {
    const std::int64_t h = x.dim(1) - padding_.top - padding_.bottom;
    const std::int64_t w = x.dim(2) - padding_.left - padding_.right;
    Tensor out = Tensor::uninitialized({x.dim(0), h, w, x.dim(3)});
    copy_window(x, padding_.top, padding_.left, out, 0, 0, h, w);
    return out;
  }

  Padding2D padding_;
  bool pad_;
};

// Keras UpSampling2D, interpolation "nearest": output[y, x] = input[y / sh, x / sw].
class UpSamplingLayer : public Layer {
 public:
  explicit UpSamplingLayer(const LayerSpec& spec) : size_(spec.size) {}

  Tensor forward(std::span<const Tensor* const> in, const Context&) override {
    const Tensor& x = *in[0];
    const std::int64_t n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3);
    const std::int64_t oh = h * size_.h, ow = w * size_.w;
    Tensor out = Tensor::uninitialized({n, oh, ow, c});
    const float* src = x.data();
    float* dst = out.data();
    for_each_index(n * oh, ow * c, [&](std::int64_t i) {
      const std::int64_t b = i / oh, y = i % oh;
      for (std::int64_t xo = 0; xo < ow; ++xo) {
        std::memcpy(dst + (i * ow + xo) * c, src + ((b * h + y / size_.h) * w + xo / size_.w) * c,
                    static_cast<std::size_t>(c) * sizeof(float));
      }
    });
    return out;
  }

  std::vector<Tensor> backward(std::span<const Tensor* const> in, const Tensor&, Tensor g,
                               const std::vector<bool>& want) override {
    std::vector<Tensor> result(1);
    if (!want[0]) return result;
    const Tensor& x = *in[0];
    const std::int64_t n = x.dim(0), h = x.dim(1), w = x.dim(2), c = x.dim(3);
    const std::int64_t ow = w * size_.w;
    Tensor dx(x.shape());
    const float* src = g.data();
    float* dst = dx.data();
    // Each input row gathers its sh x sw block in a fixed order.
    for_each_index(n * h, size_.h * ow * c, [&](std::int64_t i) {
      const std::int64_t b = i / h, y = i % h;
      for (std::int64_t dy = 0; dy < size_.h; ++dy) {
        const float* row = src + ((b * h + y) * size_.h + dy) * ow * c;
        for (std::int64_t xo = 0; xo < ow; ++xo) {
          float* d = dst + (i * w + xo / size_.w) * c;
          for (std::int64_t ch = 0; ch < c; ++ch) d[ch] += row[xo * c + ch];
        }
      }
    });
    result[0] = std::move(dx);
    return result;
  }

 private:
  Pair2D size_;
};

// Inverted dropout as Keras does it: kept units are scaled by 1 / (1 - rate) in training, and
// inference passes everything. Unit i is kept when a hash of (key, i) is >= rate, so the mask is
// a pure function of the step's noise key and is recomputed, not stored, for backward.
class DropoutLayer : public Layer {
 public:
  DropoutLayer(const LayerSpec& spec, std::size_t index)
      : rate_(spec.rate), stream_(mix64(0x64726f706f7574ULL + index)) {}

  Tensor forward(std::span<const Tensor* const> in, const Context& context) override {
    Tensor out = *in[0];
    active_ = context.training && rate_ > 0.0;
    if (!active_) return out;
    key_ = mix64(context.noise_key ^ stream_);
    apply_mask(out);
    return out;
  }

  std::vector<Tensor> backward(std::span<const Tensor* const>, const Tensor&, Tensor g,
                               const std::vector<bool>&) override {
    if (active_) apply_mask(g);
    std::vector<Tensor> result;
    result.push_back(std::move(g));
    return result;
  }

 private:
  void apply_mask(Tensor& t) const {
    float* v = t.data();
    const auto scale = static_cast<float>(1.0 / (1.0 - rate_));
    const std::uint64_t key = key_;
    const double rate = rate_;
    for_each_index(t.size(), 4, [=](std::int64_t i) {
      const std::uint64_t bits = mix64(key + static_cast<std::uint64_t>(i) * 0x9e3779b97f4a7c15ULL);
      const double u = static_cast<double>(bits >> 11) * 0x1.0p-53;
      v[i] = u >= rate ? v[i] * scale : 0.0f;
    });
  }

  double rate_;
  std::uint64_t stream_;
  std::uint64_t key_ = 0;
  bool active_ = false;
};

// keras.layers.BatchNormalization over the last axis: momentum 0.99, epsilon 1e-3. Training uses
// the batch's mean and (biased) variance and moves the averages toward them; inference, and a
// layer with trainable=false, uses the moving averages.
class BatchNormLayer : public Layer {
 public:
  static constexpr double kMomentum = 0.99;
  static constexpr double kEpsilon = 1e-3;

  BatchNormLayer(const LayerSpec& spec, const model::ResolvedLayer& r) {
    const std::int64_t c = r.input_shapes[0].back();
    if (spec.scale)
      gamma_ = &add_parameter(spec.name + "/gamma", filled({c}, 1.0f), spec.trainable);
    if (spec.center) beta_ = &add_parameter(spec.name + "/beta", Tensor({c}), spec.trainable);
    mean_ = &add_parameter(spec.name + "/moving_mean", Tensor({c}), false);
    variance_ = &add_parameter(spec.name + "/moving_variance", filled({c}, 1.0f), false);
    trainable_ = spec.trainable;
  }

  Tensor forward(std::span<const Tensor* const> in, const Context& context) override {
    const Tensor& x = *in[0];
    const std::int64_t c = x.shape().back(), rows = rows_of(x);
    batch_stats_ = context.training && trainable_ && rows > 0;
    shift_.assign(static_cast<std::size_t>(c), 0.0f);
    inv_std_.assign(static_cast<std::size_t>(c), 0.0f);
    const float* xv = x.data();
    if (batch_stats_) {
      const kernels::RowSums& sums = kernels::row_sums();
      const std::vector<double> sum = column_sums(
          rows, c,
          [&](std::int64_t r, std::int64_t n, double* p) { sums.add(xv + r * c, p, n, c); });
      std::vector<double> mean(static_cast<std::size_t>(c));
      for (std::int64_t j = 0; j < c; ++j) mean[j] = sum[j] / static_cast<double>(rows);
      const std::vector<double> squares =
          column_sums(rows, c, [&](std::int64_t r, std::int64_t n, double* p) {
            sums.add_squares(xv + r * c, mean.data(), p, n, c);
          });
      float* mm = mean_->value.data();
      float* mv = variance_->value.data();
      for (std::int64_t j = 0; j < c; ++j) {
        const double variance = squares[j] / static_cast<double>(rows);
        shift_[j] = static_cast<float>(mean[j]);
        inv_std_[j] = static_cast<float>(1.0 / std::sqrt(variance + kEpsilon));
        mm[j] = static_cast<float>(mm[j] * kMomentum + mean[j] * (1.0 - kMomentum));
        mv[j] = static_cast<float>(mv[j] * kMomentum + variance * (1.0 - kMomentum));
      }
    } else {
      for (std::int64_t j = 0; j < c; ++j) {
        shift_[j] = mean_->value.data()[j];
        inv_std_[j] =
            static_cast<float>(1.0 / std::sqrt(double{variance_->value.data()[j]} + kEpsilon));
      }
    }
    // y = (x - shift) * scale + beta with scale = gamma * inv_std.
    std::vector<float> scale(inv_std_);
    std::vector<float> offset(static_cast<std::size_t>(c), 0.0f);
    for (std::int64_t j = 0; j < c; ++j) {
      if (gamma_) scale[j] *= gamma_->value.data()[j];
      if (beta_) offset[j] = beta_->value.data()[j];
    }
    Tensor out = Tensor::uninitialized(x.shape());
    float* o = out.data();
    const float* sh = shift_.data();
    const float* sc = scale.data();
    const float* of = offset.data();
    for_each_index(rows, 2 * c, [&](std::int64_t r) {
      for (std::int64_t j = 0; j < c; ++j) o[r * c + j] = (xv[r * c + j] - sh[j]) * sc[j] + of[j];
    });
    return out;
  }

  std::vector<Tensor> backward(std::span<const Tensor* const> in, const Tensor&, Tensor g,
                               const std::vector<bool>& want) override {
    const Tensor& x = *in[0];
    const std::int64_t c = x.shape().back(), rows = rows_of(x);
    const float* xv = x.data();
    const float* gv = g.data();
    const float* sh = shift_.data();
    const float* is = inv_std_.data();
    const kernels::RowSums& sums = kernels::row_sums();
    const std::vector<double> sum_g = column_sums(
        rows, c, [&](std::int64_t r, std::int64_t n, double* p) { sums.add(gv + r * c, p, n, c); });
    const std::vector<double> sum_gx =
        column_sums(rows, c, [&](std::int64_t r, std::int64_t n, double* p) {
          sums.add_normalized_products(gv + r * c, xv + r * c, sh, is, p, n, c);
        });
    if (trainable_) {
      for (std::int64_t j = 0; j < c; ++j) {
        if (gamma_) gamma_->grad.data()[j] = static_cast<float>(sum_gx[j]);
        if (beta_) beta_->grad.data()[j] = static_cast<float>(sum_g[j]);
      }
    }
    std::vector<Tensor> result(1);
    if (!want[0]) return result;
    std::vector<float> a(static_cast<std::size_t>(c)), b(a.size()), d(a.size());
    for (std::int64_t j = 0; j < c; ++j) {
      const double gamma = gamma_ ? gamma_->value.data()[j] : 1.0;
      const double k = gamma * is[j];
      if (batch_stats_) {
        // dx = k * (g - mean(g) - xhat * mean(g * xhat)), xhat = (x - mean) * inv_std.
        const double n = static_cast<double>(rows);
        a[j] = static_cast<float>(k);
        b[j] = static_cast<float>(k * sum_g[j] / n);
        d[j] = static_cast<float>(k * sum_gx[j] / n * is[j]);
      } else {
        a[j] = static_cast<float>(k);
      }
    }
    Tensor dx = Tensor::uninitialized(x.shape());
    float* o = dx.data();
    for_each_index(rows, 4 * c, [&](std::int64_t r) {
      for (std::int64_t j = 0; j < c; ++j) {
        o[r * c + j] = a[j] * gv[r * c + j] - b[j] - d[j] * (xv[r * c + j] - sh[j]);
      }
    });
    result[0] = std::move(dx);
    return result;
  }

 private:
  Parameter* gamma_ = nullptr;
  Parameter* beta_ = nullptr;
  Parameter* mean_ = nullptr;
  Parameter* variance_ = nullptr;
  bool trainable_ = true;
  bool batch_stats_ = false;
  std::vector<float> shift_, inv_std_;  // per channel, of the last forward
};

class AddLayer : public Layer {
 public:
  Tensor forward(std::span<const Tensor* const> in, const Context&) override {
    Tensor out = *in[0];
    float* o = out.data();
    for (std::size_t k = 1; k < in.size(); ++k) {
      const float* v = in[k]->data();
      for_each_index(out.size(), 1, [=](std::int64_t i) { o[i] += v[i]; });
    }
    return out;
  }

  std::vector<Tensor> backward(std::span<const Tensor* const> in, const Tensor&, Tensor g,
                               const std::vector<bool>& want) override {
    std::vector<Tensor> result(in.size());
    for (std::size_t k = 0; k < in.size(); ++k) {
      if (want[k]) result[k] = g;
    }
    return result;
  }
};

// Keras Concatenate: `axis` counts the batch axis (3 and -1 are the channels of NHWC).
class ConcatLayer : public Layer {
 public:
  explicit ConcatLayer(const LayerSpec& spec) : axis_(spec.axis) {}

  Tensor forward(std::span<const Tensor* const> in, const Context&) override {
    Shape shape = in[0]->shape();
    const std::size_t a = axis(shape.size());
    shape[a] = 0;
    for (const Tensor* t : in) shape[a] += t->dim(a);
    Tensor out = Tensor::uninitialized(shape);
    const std::int64_t outer = outer_of(shape, a), out_block = block_of(out.shape(), a);
    std::int64_t offset = 0;
    for (const Tensor* t : in) {
      const std::int64_t block = block_of(t->shape(), a);
      for (std::int64_t o = 0; o < outer; ++o) {
        std::memcpy(out.data() + o * out_block + offset, t->data() + o * block,
                    static_cast<std::size_t>(block) * sizeof(float));
      }
      offset += block;
    }
    return out;
  }

  std::vector<Tensor> backward(std::span<const Tensor* const> in, const Tensor&, Tensor g,
                               const std::vector<bool>& want) override {
    std::vector<Tensor> result(in.size());
    const std::size_t a = axis(g.rank());
    const std::int64_t outer = outer_of(g.shape(), a), g_block = block_of(g.shape(), a);
    std::int64_t offset = 0;
    for (std::size_t k = 0; k < in.size(); ++k) {
      const std::int64_t block = block_of(in[k]->shape(), a);
      if (want[k]) {
        Tensor dx = Tensor::uninitialized(in[k]->shape());
        for (std::int64_t o = 0; o < outer; ++o) {
          std::memcpy(dx.data() + o * block, g.data() + o * g_block + offset,
                      static_cast<std::size_t>(block) * sizeof(float));
        }
        result[k] = std::move(dx);
      }
      offset += block;
    }
    return result;
  }

 private:
  std::size_t axis(std::size_t rank) const {
    return static_cast<std::size_t>(axis_ < 0 ? static_cast<std::int64_t>(rank) + axis_ : axis_);
  }
  static std::int64_t outer_of(const Shape& s, std::size_t a) {
    return std::accumulate(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(a), std::int64_t{1},
                           std::multiplies<>());
  }
  // Elements of one outer index: the axis and everything after it.
  static std::int64_t block_of(const Shape& s, std::size_t a) {
    return std::accumulate(s.begin() + static_cast<std::ptrdiff_t>(a), s.end(), std::int64_t{1},
                           std::multiplies<>());
  }

  std::int64_t axis_;
};

}  // namespace

Tensor initial_kernel(const Shape& shape, Initializer init, std::uint64_t seed) {
  switch (init) {
    case Initializer::kGlorotUniform:
      return nn::glorot_uniform(shape, seed);
    case Initializer::kHeUniform: {
      const double fan_in =
          static_cast<double>(std::max<std::int64_t>(1, nn::compute_fans(shape).in));
      Tensor t(shape);
      const double limit = std::sqrt(6.0 / fan_in);
      Rng(seed).fill_uniform(t.values(), -limit, limit);
      return t;
    }
    case Initializer::kHeNormal: {
      const double fan_in =
          static_cast<double>(std::max<std::int64_t>(1, nn::compute_fans(shape).in));
      // Keras's VarianceScaling: the stddev of a normal truncated at 2 sigma is 0.8796 of the
      // untruncated one, so it divides by that to keep the variance 2 / fan_in.
      const double stddev = std::sqrt(2.0 / fan_in) / 0.87962566103423978;
      Tensor t(shape);
      Rng rng(seed);
      for (float& v : t.values()) {
        double z = rng.normal();
        while (std::abs(z) > 2.0) z = rng.normal();
        v = static_cast<float>(z * stddev);
      }
      return t;
    }
  }
  return Tensor(shape);
}

std::unique_ptr<Layer> make_layer(const LayerSpec& spec, const model::ResolvedLayer& resolved,
                                  std::size_t index, const NetworkOptions& options) {
  if (!spec.shares.empty()) {
    throw InvalidArgument(
        fmt::format("{}: shared weights (a layer called twice, here '{}') are "
                    "not supported for training",
                    where(spec), spec.shares));
  }
  const std::uint64_t seed = options.seed;
  switch (spec.kind) {
    case LayerKind::kConv2D:
      return std::make_unique<Conv2DLayer>(spec, resolved, options, seed);
    case LayerKind::kDepthwiseConv2D:
      return std::make_unique<DepthwiseLayer>(spec, resolved, options, seed, false);
    case LayerKind::kSeparableConv2D:
      return std::make_unique<DepthwiseLayer>(spec, resolved, options, seed, true);
    case LayerKind::kConv2DTranspose:
      return std::make_unique<Conv2DTransposeLayer>(spec, resolved, options, seed);
    case LayerKind::kDense:
      return std::make_unique<DenseLayer>(spec, resolved, options, seed);
    case LayerKind::kMaxPool2D:
      return std::make_unique<PoolLayer>(spec, PoolOp::kMax);
    case LayerKind::kAvgPool2D:
      return std::make_unique<PoolLayer>(spec, PoolOp::kAvg);
    case LayerKind::kGlobalMaxPool2D:
      return std::make_unique<GlobalPoolLayer>(true);
    case LayerKind::kGlobalAvgPool2D:
      return std::make_unique<GlobalPoolLayer>(false);
    case LayerKind::kFlatten:
      return std::make_unique<FlattenLayer>();
    case LayerKind::kZeroPadding2D:
      return std::make_unique<PadCropLayer>(spec, true);
    case LayerKind::kCropping2D:
      return std::make_unique<PadCropLayer>(spec, false);
    case LayerKind::kUpSampling2D:
      return std::make_unique<UpSamplingLayer>(spec);
    case LayerKind::kBatchNorm:
      return std::make_unique<BatchNormLayer>(spec, resolved);
    case LayerKind::kActivation:
      return std::make_unique<ActivationLayer>(spec);
    case LayerKind::kDropout:
      return std::make_unique<DropoutLayer>(spec, index);
    case LayerKind::kAdd:
      return std::make_unique<AddLayer>();
    case LayerKind::kConcatenate:
      return std::make_unique<ConcatLayer>(spec);
    case LayerKind::kInput:
    case LayerKind::kConv1D:
    case LayerKind::kMaxPool1D:
    case LayerKind::kAvgPool1D:
    case LayerKind::kGlobalMaxPool1D:
    case LayerKind::kGlobalAvgPool1D:
      break;
  }
  throw InvalidArgument(fmt::format(
      "{}: not supported for training (2-D layers only: Conv2D, DepthwiseConv2D, "
      "SeparableConv2D, Conv2DTranspose, pooling, ZeroPadding2D, Cropping2D, UpSampling2D, "
      "BatchNormalization, Activation, Dropout, Flatten, Dense, Add, Concatenate)",
      where(spec)));
}

}  // namespace strider::train::detail
