// The product a Keras Dense layer computes: y = x W (+ bias, with the activation fused) for x
// [..., K] and a kernel W [K, N], each row of x (every axis but the last) times the kernel. The
// rows are read where they are: a Flatten's output is not copied first.
#pragma once

#include "strider/core/tensor.hpp"
#include "strider/ops/activation.hpp"

namespace strider {

// Returns [..., N]. Throws ShapeError for an input of rank 0, a kernel that is not [K, N] with
// K the input's last axis, or a bias that is not [N].
Tensor dense(const Tensor& input, const Tensor& kernel, const Tensor* bias = nullptr,
             Activation activation = Activation::kLinear);

}  // namespace strider
