// The backward ops: validation, then the kernels. Every op resolves the forward geometry of the
// op it differentiates, checks grad_output against the forward's output shape, and walks the same
// windows the other way. Convolution gradients go through the Conv2D backward kernel lists
// (depthwise is the grouped case); the transposed convolution's input gradient is a forward
// conv2d over its windows, its filter gradient the conv2d filter gradient with the roles of input
// and grad_output swapped.
#include "strider/ops/backward.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

#include "kernels/conv2d/conv2d_direct.hpp"
#include "kernels/conv2d/conv2d_kernel.hpp"
#include "kernels/conv2d_backward/conv2d_backward_kernel.hpp"
#include "kernels/isa_target.hpp"
#include "kernels/parallel.hpp"
#include "kernels/row_sums.hpp"
#include "strider/core/error.hpp"
#include "strider/core/memory.hpp"

namespace strider {
namespace {

void check_grad_output(const Tensor& grad_output, const Shape& expected, const Shape& input_shape,
                       std::string_view op, std::string_view forward) {
  if (grad_output.shape() == expected) return;
  throw ShapeError(fmt::format(
      "{}: grad_output must have the {} output shape {} for input {}, got {}", op, forward,
      format_shape(expected), format_shape(input_shape), format_shape(grad_output.shape())));
}

Tensor backward_input(const Conv2DGeometry& g, const Tensor& grad_output, const Tensor& filter) {
  Tensor grad_input = Tensor::uninitialized(g.input_shape());
  if (!grad_input.empty()) {
    const auto& kernel = kernels::select_conv2d_backward_input_kernel(g, {});
    kernel.run({g, grad_output.data(), filter.data(), grad_input.data()});
  }
  return grad_input;
}

Tensor backward_filter(const Conv2DGeometry& g, const Tensor& input, const Tensor& grad_output,
                       const Shape& filter_shape) {
  Tensor grad_filter = Tensor::uninitialized(filter_shape);
  if (!grad_filter.empty()) {
    const auto& kernel = kernels::select_conv2d_backward_filter_kernel(g, {});
    kernel.run({g, input.data(), grad_output.data(), grad_filter.data()});
  }
  return grad_filter;
}

// grad_bias[c] = the sum over images n in order of image_sums[n * channels + c] (double).
Tensor finish_channel_sums(const double* image_sums, std::int64_t images, std::int64_t channels) {
  Tensor grad_bias(Shape{channels});
  for (std::int64_t c = 0; c < channels; ++c) {
    double sum = 0.0;
    for (std::int64_t n = 0; n < images; ++n) sum += image_sums[n * channels + c];
    grad_bias.data()[c] = static_cast<float>(sum);
  }
  return grad_bias;
}

Conv2DParams grouped_params(const DepthwiseConv2DOptions& o) {
  return {o.strides, o.dilation, o.padding, 1};
}

// The forward convolution whose input is the transposed convolution's output and whose output is
// its input: the same windows, filter [kh, kw, Cout, Cin] read as HWIO.
Conv2DGeometry forward_of(const Conv2DTransposeGeometry& t) {
  return {t.batch, t.out_channels, t.in_channels, 1, t.height, t.width};
}

}  // namespace

Tensor conv2d_backward_input(const Tensor& grad_output, const Tensor& filter,
                             const Shape& input_shape, const Conv2DParams& params) {
  constexpr const char* kOp = "conv2d_backward_input";
  const Conv2DGeometry g = Conv2DGeometry::make(input_shape, filter.shape(), params, kOp);
  check_grad_output(grad_output, g.output_shape(), input_shape, kOp, "conv2d");
  return backward_input(g, grad_output, filter);
}

ReluBiasGradients conv2d_backward_input_relu_bias(const Tensor& grad_output, const Tensor& filter,
                                                  const Tensor& relu_input,
                                                  const Conv2DParams& params) {
  constexpr const char* kOp = "conv2d_backward_input_relu_bias";
  const Conv2DGeometry g = Conv2DGeometry::make(relu_input.shape(), filter.shape(), params, kOp);
  check_grad_output(grad_output, g.output_shape(), relu_input.shape(), kOp, "conv2d");
  ReluBiasGradients result{Tensor::uninitialized(g.input_shape()), Tensor()};
  const std::int64_t channels = g.in_channels;
  std::vector<double> image_sums(static_cast<std::size_t>(g.batch * channels), 0.0);
  if (!result.grad_input.empty()) {
    const kernels::ReluFold fold{relu_input.data(), image_sums.data()};
    const auto& kernel = kernels::select_conv2d_backward_input_kernel(g, {});
    kernel.run({g, grad_output.data(), filter.data(), result.grad_input.data(), &fold});
  }
  result.grad_bias = finish_channel_sums(image_sums.data(), g.batch, channels);
  return result;
}

Tensor conv2d_backward_filter(const Tensor& input, const Tensor& grad_output,
                              const Shape& filter_shape, const Conv2DParams& params) {
  constexpr const char* kOp = "conv2d_backward_filter";
  const Conv2DGeometry g = Conv2DGeometry::make(input.shape(), filter_shape, params, kOp);
  check_grad_output(grad_output, g.output_shape(), input.shape(), kOp, "conv2d");
  return backward_filter(g, input, grad_output, filter_shape);
}

Tensor dense_backward_kernel(const Tensor& input, const Tensor& grad_output) {
  constexpr const char* kOp = "dense_backward_kernel";
  const auto rows_of = [](const Tensor& t) {
    return t.rank() == 0 ? std::int64_t{-1} : shape_size(std::span(t.shape()).first(t.rank() - 1));
  };
  const std::int64_t rows = rows_of(input);
  if (rows < 0 || rows != rows_of(grad_output)) {
    throw ShapeError(fmt::format(
        "{}: input {} and grad_output {} must be [..., K] and [..., J] with as many rows", kOp,
        format_shape(input.shape()), format_shape(grad_output.shape())));
  }
  const std::int64_t k = input.shape().back(), j = grad_output.shape().back();
  if (k == 0 || j == 0) return Tensor(Shape{k, j});
  // Each row an image of one pixel: the 1x1 filter gradient sums over the images.
  const Conv2DGeometry g =
      Conv2DGeometry::make(Shape{rows, 1, 1, k}, Shape{1, 1, k, j}, Conv2DParams{}, kOp);
  return backward_filter(g, input, grad_output, Shape{k, j});
}

Tensor depthwise_conv2d_backward_input(const Tensor& grad_output, const Tensor& filter,
                                       const Shape& input_shape,
                                       const DepthwiseConv2DOptions& options) {
  constexpr const char* kOp = "depthwise_conv2d_backward_input";
  const Conv2DGeometry g =
      Conv2DGeometry::make_depthwise(input_shape, filter.shape(), grouped_params(options), kOp);
  check_grad_output(grad_output, g.output_shape(), input_shape, kOp, "depthwise_conv2d");
  return backward_input(g, grad_output, filter);
}

Tensor depthwise_conv2d_backward_filter(const Tensor& input, const Tensor& grad_output,
                                        const Shape& filter_shape,
                                        const DepthwiseConv2DOptions& options) {
  constexpr const char* kOp = "depthwise_conv2d_backward_filter";
  const Conv2DGeometry g =
      Conv2DGeometry::make_depthwise(input.shape(), filter_shape, grouped_params(options), kOp);
  check_grad_output(grad_output, g.output_shape(), input.shape(), kOp, "depthwise_conv2d");
  return backward_filter(g, input, grad_output, filter_shape);
}

Tensor conv2d_transpose_backward_input(const Tensor& grad_output, const Tensor& filter,
                                       const Shape& input_shape,
                                       const Conv2DTransposeParams& params) {
  constexpr const char* kOp = "conv2d_transpose_backward_input";
  const Conv2DTransposeGeometry t =
      Conv2DTransposeGeometry::make(input_shape, filter.shape(), params, kOp);
  check_grad_output(grad_output, t.output_shape(), input_shape, kOp, "conv2d_transpose");
  const Conv2DGeometry g = forward_of(t);
  Tensor grad_input = Tensor::uninitialized(g.output_shape());
  if (grad_input.empty()) return grad_input;
  const kernels::Conv2DKernel& kernel = kernels::select_conv2d_kernel(g, {});
  std::optional<Tensor> packed;  // a tensor: counted, and on cache lines for the tiles' loads
  if (kernel.pack != nullptr) {
    packed = Tensor::uninitialized(Shape{kernel.packed_size(g)});
    kernel.pack(g, filter.data(), packed->data());
  }
  kernel.run({g, grad_output.data(), filter.data(), packed ? packed->data() : nullptr, nullptr,
              grad_input.data(), Activation::kLinear});
  return grad_input;
}

Tensor conv2d_transpose_backward_filter(const Tensor& input, const Tensor& grad_output,
                                        const Shape& filter_shape,
                                        const Conv2DTransposeParams& params) {
  constexpr const char* kOp = "conv2d_transpose_backward_filter";
  const Conv2DTransposeGeometry t =
      Conv2DTransposeGeometry::make(input.shape(), filter_shape, params, kOp);
  check_grad_output(grad_output, t.output_shape(), input.shape(), kOp, "conv2d_transpose");
  // The forward convolution reads grad_output as its input and produces `input`'s shape.
  return backward_filter(forward_of(t), grad_output, input, filter_shape);
}

Tensor pool2d_backward(PoolOp op, const Tensor& input, const Tensor& grad_output,
                       const Pool2DOptions& options) {
  const char* op_name = op == PoolOp::kMax ? "max_pool2d_backward" : "avg_pool2d_backward";
  const Pool2DGeometry g = Pool2DGeometry::make(input.shape(), options.params, op_name);
  check_grad_output(grad_output, g.output_shape(), input.shape(), op_name,
                    op == PoolOp::kMax ? "max_pool2d" : "avg_pool2d");
  const Window& wh = g.height;
  const Window& ww = g.width;
  const std::int64_t in_h = wh.input_size(), in_w = ww.input_size();
  const std::int64_t out_h = wh.output_size(), out_w = ww.output_size(), c_all = g.channels;
  Tensor grad_input(input.shape());
  const auto at = [&](std::int64_t n, std::int64_t ih, std::int64_t iw, std::int64_t c) {
    return ((n * in_h + ih) * in_w + iw) * c_all + c;
  };
  const float* x = input.data();
  float* dx = grad_input.data();
  for (std::int64_t n = 0; n < g.batch; ++n) {
    for (std::int64_t oh = 0; oh < out_h; ++oh) {
      const TapRange th = wh.valid_taps(oh);
      for (std::int64_t ow = 0; ow < out_w; ++ow) {
        const TapRange tw = ww.valid_taps(ow);
        const float* dy = grad_output.data() + ((n * out_h + oh) * out_w + ow) * c_all;
        if (th.size() == 0 || tw.size() == 0) continue;
        for (std::int64_t c = 0; c < c_all; ++c) {
          if (op == PoolOp::kAvg) {
            const float share = static_cast<float>(static_cast<double>(dy[c]) /
                                                   static_cast<double>(th.size() * tw.size()));
            for (std::int64_t kh = th.begin; kh < th.end; ++kh) {
              for (std::int64_t kw = tw.begin; kw < tw.end; ++kw) {
                dx[at(n, wh.tap(oh, kh), ww.tap(ow, kw), c)] += share;
              }
            }
            continue;
          }
          // The first tap that is strictly greater than all before it wins, so ties go to the
          // earliest in scan order.
          std::int64_t best = at(n, wh.tap(oh, th.begin), ww.tap(ow, tw.begin), c);
          for (std::int64_t kh = th.begin; kh < th.end; ++kh) {
            for (std::int64_t kw = tw.begin; kw < tw.end; ++kw) {
              const std::int64_t i = at(n, wh.tap(oh, kh), ww.tap(ow, kw), c);
              if (x[i] > x[best]) best = i;
            }
          }
          dx[best] += dy[c];
        }
      }
    }
  }
  return grad_input;
}

namespace {

void check_global(const Shape& input_shape, const Tensor& grad_output, const char* op) {
  require_rank(input_shape, 4, op, "input", "NHWC");
  if (input_shape[1] < 1 || input_shape[2] < 1) {
    throw ShapeError(fmt::format("{}: input height and width must be >= 1, got {}", op,
                                 format_shape(input_shape)));
  }
  const Shape expected{input_shape[0], input_shape[3]};
  if (grad_output.shape() != expected) {
    throw ShapeError(fmt::format("{}: grad_output must be [N, C] = {} for input {}, got {}", op,
                                 format_shape(expected), format_shape(input_shape),
                                 format_shape(grad_output.shape())));
  }
}

}  // namespace

Tensor global_avg_pool2d_backward(const Shape& input_shape, const Tensor& grad_output) {
  check_global(input_shape, grad_output, "global_avg_pool2d_backward");
  Tensor grad_input = Tensor::uninitialized(input_shape);
  const std::int64_t n_all = input_shape[0], c_all = input_shape[3];
  const std::int64_t positions = input_shape[1] * input_shape[2];
  // Each image's shares once, then its pixels in memory order, images on threads: channel by
  // channel, the writes strode through the image (3% of a stride-1 network's training step).
  kernels::parallel_for(
      n_all, n_all * positions * c_all >= (std::int64_t{1} << 16), [&](std::int64_t n) {
        std::vector<float> share(static_cast<std::size_t>(c_all));
        for (std::int64_t c = 0; c < c_all; ++c) {
          share[static_cast<std::size_t>(c)] =
              static_cast<float>(static_cast<double>(grad_output.data()[n * c_all + c]) /
                                 static_cast<double>(positions));
        }
        float* out = grad_input.data() + n * positions * c_all;
        for (std::int64_t i = 0; i < positions; ++i) {
          std::copy(share.begin(), share.end(), out + i * c_all);
        }
      });
  return grad_input;
}

Tensor global_max_pool2d_backward(const Tensor& input, const Tensor& grad_output) {
  check_global(input.shape(), grad_output, "global_max_pool2d_backward");
  // Global pooling is pooling with one window the size of the input, as the forward computes it.
  Pool2DOptions options;
  options.params.pool_size = {input.dim(1), input.dim(2)};
  return pool2d_backward(PoolOp::kMax, input,
                         grad_output.reshaped({input.dim(0), 1, 1, input.dim(3)}), options);
}

namespace {

// The bias gradient's sums: `add_rows(r, count, acc)` adds rows [r, r + count) of the output
// gradient into acc. Each image's rows (those under one index of the first axis) are summed in
// double on threads, then the images in order (finish_channel_sums): the grouping depends on the
// shape only, so the sum is the same whatever the thread count, and it is the grouping of the
// ReLU folded into an input gradient (kernels::ReluFold), which sums each image while it is in
// cache. A serial pass took 3% of a training step on two threads.
template <class AddRows>
Tensor sum_rows_by_channel(const Tensor& grad_output, std::int64_t channels,
                           const AddRows& add_rows) {
  const std::int64_t rows = channels == 0 ? 0 : grad_output.size() / channels;
  const std::int64_t images = grad_output.rank() >= 2 ? grad_output.dim(0) : 1;
  const std::int64_t per_image = images == 0 ? 0 : rows / images;
  std::vector<double> partial(static_cast<std::size_t>(images * channels), 0.0);
  kernels::parallel_for(images, rows * channels >= (std::int64_t{1} << 16), [&](std::int64_t n) {
    double* acc = partial.data() + n * channels;
    add_rows(n * per_image, per_image, acc);
  });
  return finish_channel_sums(partial.data(), images, channels);
}

std::int64_t channels_of(const Tensor& grad_output, std::string_view op) {
  if (grad_output.rank() == 0) {
    throw ShapeError(fmt::format("{}: grad_output must have rank >= 1, got a scalar", op));
  }
  return grad_output.dim(grad_output.rank() - 1);
}

}  // namespace

Tensor bias_backward(const Tensor& grad_output) {
  const std::int64_t channels = channels_of(grad_output, "bias_backward");
  const kernels::RowSums& sums = kernels::row_sums();
  return sum_rows_by_channel(grad_output, channels,
                             [&](std::int64_t r, std::int64_t count, double* acc) {
                               sums.add(grad_output.data() + r * channels, acc, count, channels);
                             });
}

Tensor relu_bias_backward(const Tensor& relu_output, Tensor& grad_output) {
  const std::int64_t channels = channels_of(grad_output, "relu_bias_backward");
  if (relu_output.shape() != grad_output.shape()) {
    throw ShapeError(fmt::format("relu_bias_backward: grad_output {} does not match output {}",
                                 format_shape(grad_output.shape()),
                                 format_shape(relu_output.shape())));
  }
  const kernels::RowSums& sums = kernels::row_sums();
  return sum_rows_by_channel(
      grad_output, channels, [&](std::int64_t r, std::int64_t count, double* acc) {
        sums.mask_and_add(relu_output.data() + r * channels, grad_output.data() + r * channels, acc,
                          count, channels);
      });
}

}  // namespace strider
