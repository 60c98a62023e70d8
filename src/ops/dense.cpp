#include "strider/ops/dense.hpp"

#include <fmt/format.h>

#include <span>

#include "kernels/conv2d/conv2d_kernel.hpp"
#include "ops/checks.hpp"
#include "strider/core/error.hpp"

namespace strider {

Tensor dense(const Tensor& input, const Tensor& kernel, const Tensor* bias, Activation activation) {
  constexpr const char* kOp = "dense";
  if (input.rank() == 0 || kernel.rank() != 2 || kernel.dim(0) != input.shape().back()) {
    throw ShapeError(fmt::format("{}: input {} and kernel {} must be [..., K] and [K, N]", kOp,
                                 format_shape(input.shape()), format_shape(kernel.shape())));
  }
  const std::int64_t k = kernel.dim(0), n = kernel.dim(1);
  check_bias(bias, n, kOp, "kernel columns");
  Shape shape = input.shape();
  shape.back() = n;
  const std::int64_t rows = shape_size(std::span(input.shape()).first(input.rank() - 1));
  Tensor out = Tensor::uninitialized(shape);
  if (out.empty()) return out;
  if (k == 0) {
    float* y = out.data();
    for (std::int64_t r = 0; r < rows; ++r) {
      for (std::int64_t j = 0; j < n; ++j) {
        y[r * n + j] = apply_activation(activation, bias != nullptr ? bias->data()[j] : 0.0f);
      }
    }
    return out;
  }
  // A 1x1 convolution over the rows laid out as an image of up to 8 columns, so that the
  // kernels' multi-pixel register tiles apply; the input is the same memory under that shape.
  std::int64_t cols = 1;
  for (const std::int64_t c : {8, 4, 2}) {
    if (rows % c == 0) {
      cols = c;
      break;
    }
  }
  const Conv2DGeometry g =
      Conv2DGeometry::make(Shape{1, rows / cols, cols, k}, Shape{1, 1, k, n}, Conv2DParams{}, kOp);
  const kernels::Conv2DKernel& conv = kernels::select_conv2d_kernel(g, {});
  Tensor packed;
  if (conv.pack != nullptr) {
    packed = Tensor::uninitialized(Shape{conv.packed_size(g)});
    conv.pack(g, kernel.data(), packed.data());
  }
  conv.run({g, input.data(), kernel.data(), conv.pack != nullptr ? packed.data() : nullptr,
            bias != nullptr ? bias->data() : nullptr, out.data(), activation});
  return out;
}

}  // namespace strider
