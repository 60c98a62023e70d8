// Conv2D forward, TensorFlow-exact: tf.nn.conv2d plus Keras's bias and activation.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "strider/core/tensor.hpp"
#include "strider/geometry/conv2d_geometry.hpp"
#include "strider/ops/activation.hpp"

namespace strider {

struct Conv2DOptions {
  Conv2DParams params;
  Activation activation = Activation::kLinear;
  // Name of the kernel to run ("reference", ...); empty picks the best that supports the problem.
  std::string_view kernel;
};

// output[n, oh, ow, f] = act(bias[f] + sum over (kh, kw, c) of
//     input[n, height.tap(oh, kh), width.tap(ow, kw), g * Cg + c] * filter[kh, kw, c, f])
// with g = f / (F / groups), Cg = C / groups, and taps in the padding contributing zero.
// input NHWC, filter HWIO [kh, kw, C / groups, F], bias [F] or nullptr; output NHWC.
// Stride > 1 together with dilation > 1 is computed, as tf.nn.conv2d does (keras.layers.Conv2D and
// tf.nn.convolution refuse the combination): the result is the strided sampling of the dilated
// convolution. Throws InvalidArgument / ShapeError from geometry, and ShapeError for a bias that
// is not rank 1 of length F.
Tensor conv2d(const Tensor& input, const Tensor& filter, const Tensor* bias,
              const Conv2DOptions& options = {});

// A Conv2D whose filter is prepared once and applied to many inputs: fast kernels rearrange
// ("pack") the filter for their register tiles, and a plan packs it once per kernel instead of
// on every call. It also keeps what it worked out for the last input shape (geometry, kernel,
// tiling), so repeated calls with one shape skip that set-up. Layers hold one. Copies share the
// packed filters; run() is thread-safe.
class Conv2DPlan {
 public:
  // Copies the filter (HWIO) and bias. Throws ShapeError for a filter that is not rank 4 or a bias
  // that is not [F]; the rest is checked per input by run().
  Conv2DPlan(const Tensor& filter, const Tensor* bias, const Conv2DOptions& options = {});

  // conv2d(input, filter, bias, options), the same numbers.
  Tensor run(const Tensor& input) const;
  // The same, written into `output`, whose shape must be the output shape (ShapeError otherwise)
  // and which must not be `input` (InvalidArgument): no allocation per call, like PyTorch's out=.
  void run(const Tensor& input, Tensor& output) const;
  // The kernel run() picks for inputs of this shape (throws like run() on a bad shape).
  std::string_view kernel_name(const Shape& input_shape) const;

  const Tensor& filter() const { return filter_; }
  const Tensor* bias() const { return bias_ ? &*bias_ : nullptr; }

 private:
  struct Cache;
  struct Prepared;
  std::shared_ptr<const Prepared> prepare(const Shape& input_shape) const;

  Tensor filter_;
  std::optional<Tensor> bias_;
  Conv2DParams params_;
  Activation activation_;
  std::string kernel_;
  std::shared_ptr<Cache> cache_;
};

}  // namespace strider
