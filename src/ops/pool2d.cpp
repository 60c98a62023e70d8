#include "strider/ops/pool2d.hpp"

#include <fmt/format.h>

#include <limits>

#include "kernels/pool2d/pool2d_kernel.hpp"
#include "strider/core/error.hpp"

namespace strider {

PoolOp parse_pool_op(std::string_view text, std::string_view what) {
  if (text == "max") return PoolOp::kMax;
  if (text == "avg" || text == "average") return PoolOp::kAvg;
  throw InvalidArgument(fmt::format("{}: expected 'max' or 'avg', got '{}'", what, text));
}

std::string_view pool_op_name(PoolOp op) { return op == PoolOp::kMax ? "max" : "avg"; }

std::string_view pool2d_kernel_name(PoolOp op, const Shape& input_shape,
                                    const Pool2DOptions& options) {
  const Pool2DGeometry g = Pool2DGeometry::make(input_shape, options.params,
                                                op == PoolOp::kMax ? "max_pool2d" : "avg_pool2d");
  return kernels::select_pool2d_kernel(g, options.kernel).name;
}

Tensor pool2d(PoolOp op, const Tensor& input, const Pool2DOptions& options) {
  const char* name = op == PoolOp::kMax ? "max_pool2d" : "avg_pool2d";
  const Pool2DGeometry g = Pool2DGeometry::make(input.shape(), options.params, name);
  Tensor output = Tensor::uninitialized(g.output_shape());
  const kernels::Pool2DKernel& kernel = kernels::select_pool2d_kernel(g, options.kernel);
  if (!output.empty()) kernel.run({g, op, input.data(), output.data()});
  return output;
}

Tensor max_pool2d(const Tensor& input, const Pool2DParams& params) {
  return pool2d(PoolOp::kMax, input, {params, {}});
}

Tensor avg_pool2d(const Tensor& input, const Pool2DParams& params) {
  return pool2d(PoolOp::kAvg, input, {params, {}});
}

namespace {

// Global pooling is pooling with one window the size of the input; geometry says so.
Tensor global_pool2d(PoolOp op, const Tensor& input, const char* name) {
  if (input.rank() != 4) {
    throw ShapeError(
        fmt::format("{}: input must be rank 4 (NHWC), got {}", name, format_shape(input.shape())));
  }
  if (input.dim(1) < 1 || input.dim(2) < 1) {
    throw ShapeError(fmt::format("{}: input height and width must be >= 1, got {}", name,
                                 format_shape(input.shape())));
  }
  Pool2DOptions options;
  options.params.pool_size = {input.dim(1), input.dim(2)};
  return pool2d(op, input, options).reshaped({input.dim(0), input.dim(3)});
}

}  // namespace

Tensor global_avg_pool2d(const Tensor& input) {
  return global_pool2d(PoolOp::kAvg, input, "global_avg_pool2d");
}

Tensor global_max_pool2d(const Tensor& input) {
  return global_pool2d(PoolOp::kMax, input, "global_max_pool2d");
}

}  // namespace strider
