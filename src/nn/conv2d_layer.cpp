#include "strider/nn/conv2d_layer.hpp"

#include "nn/layer_util.hpp"
#include "strider/core/checked.hpp"
#include "strider/ops/conv2d.hpp"

namespace strider::nn {
namespace {

constexpr std::string_view kName = "Conv2D";

}  // namespace

Conv2D::Conv2D(const Conv2DConfig& config)
    : FilterLayer(kName, 4, config.use_bias, config.seed), config_(config) {
  detail::require_positive(kName, "filters", config.filters);
  detail::require_window(kName, config.kernel_size, config.strides, config.dilation_rate,
                         config.padding);
  detail::require_positive(kName, "groups", config.groups);
  detail::require_groups_divide_filters(kName, config.groups, config.filters);
}

Shape Conv2D::layout_filter_shape(std::int64_t in_channels) const {
  detail::require_groups_divide_channels(kName, config_.groups, in_channels);
  return {config_.kernel_size.h, config_.kernel_size.w, in_channels / config_.groups,
          config_.filters};
}

std::int64_t Conv2D::layout_in_channels(const Shape& filter_shape) const {
  return checked_mul(filter_shape[2], config_.groups, "Conv2D: input channels");
}

Conv2DParams Conv2D::params() const {
  return {config_.strides, config_.dilation_rate, config_.padding, config_.groups};
}

Tensor Conv2D::operator()(const Tensor& input) {
  build_for(input, 4, "NHWC");
  if (!plan_ || plan_version_ != weights_version()) {
    Conv2DOptions options;
    options.params = params();
    options.activation = config_.activation;
    plan_ = std::make_shared<const Conv2DPlan>(filter(), bias(), options);
    plan_version_ = weights_version();
  }
  return plan_->run(input);
}

Shape Conv2D::output_shape(const Shape& input_shape) const {
  detail::require_rank(kName, input_shape, 4, "NHWC");
  return Conv2DGeometry::make(input_shape, filter_shape_for_input(input_shape[3]), params(), kName)
      .output_shape();
}

}  // namespace strider::nn
