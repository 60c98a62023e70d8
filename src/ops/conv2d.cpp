#include "strider/ops/conv2d.hpp"

#include <fmt/format.h>

#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "kernels/conv2d/conv2d_kernel.hpp"
#include "ops/bias.hpp"
#include "strider/core/error.hpp"
#include "strider/core/memory.hpp"

namespace strider {
namespace {

// A filter rearranged for a kernel's register tiles, counted in the memory limit. A tensor, so
// that it starts on a 64-byte line: the tiles load whole vectors of it, and a 64-byte AVX-512
// load that straddles two lines (malloc aligns to 16) ran the forward kernel at half speed.
struct Packed {
  std::optional<Tensor> values;

  bool empty() const { return !values.has_value(); }
  const float* data() const { return values->data(); }
};

Packed pack_for(const kernels::Conv2DKernel& kernel, const Conv2DGeometry& g,
                const Tensor& filter) {
  if (kernel.pack == nullptr) return {};
  Packed packed{Tensor::uninitialized(Shape{kernel.packed_size(g)})};
  kernel.pack(g, filter.data(), packed.values->data());
  return packed;
}

Tensor execute(const kernels::Conv2DKernel& kernel, const Conv2DGeometry& g, const Tensor& input,
               const Tensor& filter, const Packed& packed, const Tensor* bias,
               Activation activation) {
  Tensor output = Tensor::uninitialized(g.output_shape());
  if (!output.empty()) {
    kernel.run({g, input.data(), filter.data(), packed.empty() ? nullptr : packed.data(),
                bias != nullptr ? bias->data() : nullptr, output.data(), activation});
  }
  return output;
}

}  // namespace

Tensor conv2d(const Tensor& input, const Tensor& filter, const Tensor* bias,
              const Conv2DOptions& options) {
  const Conv2DGeometry g =
      Conv2DGeometry::make(input.shape(), filter.shape(), options.params, "conv2d");
  check_bias(bias, g.out_channels, "conv2d", "filters");
  const kernels::Conv2DKernel& kernel = kernels::select_conv2d_kernel(g, options.kernel);
  return execute(kernel, g, input, filter, pack_for(kernel, g, filter), bias, options.activation);
}

struct Conv2DPlan::Cache {
  std::mutex mutex;
  std::map<std::string_view, Packed> packed;  // kernel names are static strings
};

Conv2DPlan::Conv2DPlan(const Tensor& filter, const Tensor* bias, const Conv2DOptions& options)
    : filter_(filter),
      params_(options.params),
      activation_(options.activation),
      kernel_(options.kernel),
      cache_(std::make_shared<Cache>()) {
  if (filter.rank() != 4) {
    throw ShapeError(fmt::format("conv2d: filter must be rank 4 (HWIO), got rank {}: {}",
                                 filter.rank(), format_shape(filter.shape())));
  }
  check_bias(bias, filter.dim(3), "conv2d", "filters");
  if (bias != nullptr) bias_ = *bias;
}

std::string_view Conv2DPlan::kernel_name(const Shape& input_shape) const {
  const Conv2DGeometry g = Conv2DGeometry::make(input_shape, filter_.shape(), params_, "conv2d");
  return kernels::select_conv2d_kernel(g, kernel_).name;
}

Tensor Conv2DPlan::run(const Tensor& input) const {
  const Conv2DGeometry g = Conv2DGeometry::make(input.shape(), filter_.shape(), params_, "conv2d");
  const kernels::Conv2DKernel& kernel = kernels::select_conv2d_kernel(g, kernel_);
  const Packed* packed = nullptr;
  {
    std::lock_guard<std::mutex> lock(cache_->mutex);
    auto it = cache_->packed.find(kernel.name);
    if (it == cache_->packed.end()) {
      it = cache_->packed.emplace(kernel.name, pack_for(kernel, g, filter_)).first;
    }
    packed = &it->second;  // std::map nodes never move
  }
  return execute(kernel, g, input, filter_, *packed, bias(), activation_);
}

}  // namespace strider
