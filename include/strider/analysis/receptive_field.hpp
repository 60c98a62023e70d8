// Receptive field, effective stride and effective padding of every layer of a resolved model, as
// google-research/receptive_field defines them, composed from each layer's windows:
//   field_out   = field_in + (effective_kernel - 1) * stride_in
//   stride_out  = stride_in * stride
//   padding_out = padding_in + pad_before * stride_in
// Output position o of a layer then sees the input positions
//   [o * stride - padding, o * stride - padding + field - 1]
// (positions outside [0, input) are padding). Pointwise layers keep their input's figures,
// ZeroPadding2D adds its top/left amount as padding, Cropping2D subtracts it; global pooling,
// Flatten and Dense see their whole input. At a merge (Add, Concatenate) each axis takes the
// input with the largest field on that axis (ties: the largest padding). After UpSampling2D or
// Conv2DTranspose the stride is fractional and the figures are undefined (nullopt), as in
// receptive_field.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "strider/model/resolve.hpp"

namespace strider::analysis {

struct AxisField {
  std::int64_t size = 1;     // receptive field
  std::int64_t stride = 1;   // effective stride ("jump")
  std::int64_t padding = 0;  // effective padding
  bool operator==(const AxisField&) const = default;
};

struct Field {
  AxisField height, width;  // 1-D layers: height is the trivial field {1, 1, 0}
  bool operator==(const Field&) const = default;
};

// One entry per layer of `model`, parallel to model.layers. Throws ShapeError on overflow.
std::vector<std::optional<Field>> receptive_fields(const model::ResolvedModel& model);

}  // namespace strider::analysis
