#include "strider/nn/conv1d_layer.hpp"

#include "nn/layer_util.hpp"
#include "strider/core/checked.hpp"
#include "strider/ops/conv1d.hpp"

namespace strider::nn {
namespace {

constexpr std::string_view kName = "Conv1D";

}  // namespace

Conv1D::Conv1D(const Conv1DConfig& config)
    : FilterLayer(kName, 3, config.use_bias, config.seed), config_(config) {
  detail::require_positive(kName, "filters", config.filters);
  detail::require_positive(kName, "kernel_size", config.kernel_size);
  detail::require_positive(kName, "strides", config.strides);
  detail::require_positive(kName, "dilation_rate", config.dilation_rate);
  detail::require_padding(kName, config.padding, "length");
  detail::require_positive(kName, "groups", config.groups);
  detail::require_groups_divide_filters(kName, config.groups, config.filters);
}

Shape Conv1D::layout_filter_shape(std::int64_t in_channels) const {
  detail::require_groups_divide_channels(kName, config_.groups, in_channels);
  return {config_.kernel_size, in_channels / config_.groups, config_.filters};
}

std::int64_t Conv1D::layout_in_channels(const Shape& filter_shape) const {
  return checked_mul(filter_shape[1], config_.groups, "Conv1D: input channels");
}

Tensor Conv1D::operator()(const Tensor& input) {
  build_for(input, 3, "NLC");
  Conv1DOptions options;
  options.stride = config_.strides;
  options.dilation = config_.dilation_rate;
  options.padding = config_.padding;
  options.groups = config_.groups;
  options.activation = config_.activation;
  return conv1d(input, filter(), bias(), options);
}

Shape Conv1D::output_shape(const Shape& input_shape) const {
  detail::require_rank(kName, input_shape, 3, "NLC");
  shape_size(input_shape, "Conv1D input");
  filter_shape_for_input(input_shape[2]);  // checks the channels against groups or the filter
  const WindowSpec spec{config_.kernel_size, config_.strides, config_.dilation_rate,
                        config_.padding};
  const Shape output{input_shape[0],
                     Window::make(input_shape[1], spec, kName, "length").output_size(),
                     config_.filters};
  shape_size(output, "Conv1D output");
  return output;
}

}  // namespace strider::nn
