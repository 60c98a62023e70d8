#include "strider/ops/conv2d.hpp"

#include <fmt/format.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "kernels/conv2d/conv2d_kernel.hpp"
#include "ops/checks.hpp"
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

void execute(const kernels::Conv2DKernel& kernel, const Conv2DGeometry& g, const Tensor& input,
             const Tensor& filter, const Packed& packed, const Tensor* bias, Activation activation,
             const kernels::Conv2DSchedule* schedule, Tensor& output) {
  if (output.empty()) return;
  kernel.run({g, input.data(), filter.data(), packed.empty() ? nullptr : packed.data(),
              bias != nullptr ? bias->data() : nullptr, output.data(), activation, schedule});
}

}  // namespace

Tensor conv2d(const Tensor& input, const Tensor& filter, const Tensor* bias,
              const Conv2DOptions& options) {
  const Conv2DGeometry g =
      Conv2DGeometry::make(input.shape(), filter.shape(), options.params, "conv2d");
  check_bias(bias, g.out_channels, "conv2d", "filters");
  const kernels::Conv2DKernel& kernel = kernels::select_conv2d_kernel(g, options.kernel);
  Tensor output = Tensor::uninitialized(g.output_shape());
  execute(kernel, g, input, filter, pack_for(kernel, g, filter), bias, options.activation, nullptr,
          output);
  return output;
}

// What a plan works out for one input shape: the geometry, the kernel, its packed filter and
// its schedule. A plan keeps the last shape's, so a layer fed batches of one shape validates and
// tiles once: on the tutorial's 1x10x10x3 layer that set-up was half of the call.
struct Conv2DPlan::Prepared {
  Shape input_shape;
  Shape output_shape;
  Conv2DGeometry geometry;
  const kernels::Conv2DKernel* kernel;
  const Packed* packed;
  std::unique_ptr<kernels::Conv2DSchedule> schedule;
};

struct Conv2DPlan::Cache {
  std::mutex mutex;
  std::map<std::string_view, Packed> packed;  // kernel names are static strings
  std::shared_ptr<const Prepared> last;       // the last input shape's; shared with running calls
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

std::shared_ptr<const Conv2DPlan::Prepared> Conv2DPlan::prepare(const Shape& input_shape) const {
  {
    std::lock_guard<std::mutex> lock(cache_->mutex);
    if (cache_->last != nullptr && cache_->last->input_shape == input_shape) return cache_->last;
  }
  const Conv2DGeometry g = Conv2DGeometry::make(input_shape, filter_.shape(), params_, "conv2d");
  const kernels::Conv2DKernel& kernel = kernels::select_conv2d_kernel(g, kernel_);
  auto prepared = std::make_shared<Prepared>(
      Prepared{input_shape, g.output_shape(), g, &kernel, nullptr, nullptr});
  if (kernel.schedule != nullptr) prepared->schedule = kernel.schedule(g);
  std::lock_guard<std::mutex> lock(cache_->mutex);
  auto it = cache_->packed.find(kernel.name);
  if (it == cache_->packed.end()) {
    it = cache_->packed.emplace(kernel.name, pack_for(kernel, g, filter_)).first;
  }
  prepared->packed = &it->second;  // std::map nodes never move
  cache_->last = prepared;
  return prepared;
}

std::string_view Conv2DPlan::kernel_name(const Shape& input_shape) const {
  return prepare(input_shape)->kernel->name;
}

Tensor Conv2DPlan::run(const Tensor& input) const {
  const std::shared_ptr<const Prepared> p = prepare(input.shape());
  Tensor output = Tensor::uninitialized(p->output_shape);
  execute(*p->kernel, p->geometry, input, filter_, *p->packed, bias(), activation_,
          p->schedule.get(), output);
  return output;
}

void Conv2DPlan::run(const Tensor& input, Tensor& output) const {
  const std::shared_ptr<const Prepared> p = prepare(input.shape());
  check_output(input, output, p->output_shape, "conv2d");
  execute(*p->kernel, p->geometry, input, filter_, *p->packed, bias(), activation_,
          p->schedule.get(), output);
}

}  // namespace strider
