// The activations of the trainer's layers, forward and backward, and the seed mixer.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "strider/core/error.hpp"
#include "train/layers.hpp"
#include "train/parallel.hpp"

namespace strider::train::detail {

std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

Act parse_act(std::string_view name, std::string_view where) {
  if (name == "linear" || name == "none" || name.empty()) return Act::kLinear;
  if (name == "relu") return Act::kRelu;
  if (name == "relu6") return Act::kRelu6;
  if (name == "sigmoid") return Act::kSigmoid;
  if (name == "tanh") return Act::kTanh;
  if (name == "softmax") return Act::kSoftmax;
  if (name == "leaky_relu") return Act::kLeakyRelu;
  if (name == "elu") return Act::kElu;
  if (name == "selu") return Act::kSelu;
  if (name == "softplus") return Act::kSoftplus;
  if (name == "softsign") return Act::kSoftsign;
  if (name == "hard_sigmoid") return Act::kHardSigmoid;
  if (name == "exponential") return Act::kExponential;
  throw InvalidArgument(fmt::format(
      "{}: activation '{}' is not supported for training (supported: linear, relu, relu6, "
      "sigmoid, tanh, softmax, leaky_relu, elu, selu, softplus, softsign, hard_sigmoid, "
      "exponential)",
      where, name));
}

namespace {

constexpr float kLeakySlope = 0.2f;
constexpr float kSeluScale = 1.05070098735548049342f;
constexpr float kSeluAlpha = 1.67326324235437728482f;

void softmax_rows(Tensor& x) {
  const std::int64_t width = x.rank() == 0 ? 1 : x.shape().back();
  if (width == 0) return;
  const std::int64_t rows = x.size() / width;
  float* data = x.data();
  for_each_index(rows, width, [&](std::int64_t r) {
    float* row = data + r * width;
    const float top = *std::max_element(row, row + width);
    double sum = 0.0;
    for (std::int64_t j = 0; j < width; ++j) {
      row[j] = std::exp(row[j] - top);
      sum += row[j];
    }
    const auto scale = static_cast<float>(1.0 / sum);
    for (std::int64_t j = 0; j < width; ++j) row[j] *= scale;
  });
}

}  // namespace

Tensor activation_output(Act act, const Tensor& x) {
  if (act != Act::kRelu) {
    Tensor out = x;
    activation_forward(act, out);
    return out;
  }
  // One pass that reads x and writes the output, where a copy and an in-place pass made two
  // (the copy was 2.7% of a training step of the experiment's stride-1 model).
  Tensor out = Tensor::uninitialized(x.shape());
  const float* v = x.data();
  float* o = out.data();
  for_each_index(x.size(), 1, [v, o](std::int64_t i) { o[i] = v[i] > 0.0f ? v[i] : 0.0f; });
  return out;
}

void activation_forward(Act act, Tensor& x) {
  float* v = x.data();
  const std::int64_t n = x.size();
  switch (act) {
    case Act::kLinear:
      return;
    case Act::kRelu:
      for_each_index(n, 1, [v](std::int64_t i) { v[i] = v[i] > 0.0f ? v[i] : 0.0f; });
      return;
    case Act::kRelu6:
      for_each_index(n, 1, [v](std::int64_t i) { v[i] = std::clamp(v[i], 0.0f, 6.0f); });
      return;
    case Act::kSigmoid:
      for_each_index(n, 8, [v](std::int64_t i) { v[i] = 1.0f / (1.0f + std::exp(-v[i])); });
      return;
    case Act::kTanh:
      for_each_index(n, 8, [v](std::int64_t i) { v[i] = std::tanh(v[i]); });
      return;
    case Act::kSoftmax:
      softmax_rows(x);
      return;
    case Act::kLeakyRelu:
      for_each_index(n, 1, [v](std::int64_t i) { v[i] = v[i] > 0.0f ? v[i] : kLeakySlope * v[i]; });
      return;
    case Act::kElu:
      for_each_index(n, 8, [v](std::int64_t i) { v[i] = v[i] > 0.0f ? v[i] : std::expm1(v[i]); });
      return;
    case Act::kSelu:
      for_each_index(n, 8, [v](std::int64_t i) {
        v[i] = kSeluScale * (v[i] > 0.0f ? v[i] : kSeluAlpha * std::expm1(v[i]));
      });
      return;
    case Act::kSoftplus:
      // log(1 + e^x) without overflow: max(x, 0) + log1p(e^-|x|).
      for_each_index(n, 8, [v](std::int64_t i) {
        v[i] = std::max(v[i], 0.0f) + std::log1p(std::exp(-std::abs(v[i])));
      });
      return;
    case Act::kSoftsign:
      for_each_index(n, 2, [v](std::int64_t i) { v[i] = v[i] / (1.0f + std::abs(v[i])); });
      return;
    case Act::kHardSigmoid:
      for_each_index(n, 2,
                     [v](std::int64_t i) { v[i] = std::clamp(v[i] + 3.0f, 0.0f, 6.0f) / 6.0f; });
      return;
    case Act::kExponential:
      for_each_index(n, 8, [v](std::int64_t i) { v[i] = std::exp(v[i]); });
      return;
  }
}

void activation_backward(Act act, const Tensor& output, Tensor& grad) {
  if (output.shape() != grad.shape()) {
    throw ShapeError(fmt::format("activation backward: gradient {} does not match output {}",
                                 format_shape(grad.shape()), format_shape(output.shape())));
  }
  const float* y = output.data();
  float* g = grad.data();
  const std::int64_t n = grad.size();
  switch (act) {
    case Act::kLinear:
      return;
    case Act::kRelu:
      for_each_index(n, 1, [=](std::int64_t i) { g[i] = y[i] > 0.0f ? g[i] : 0.0f; });
      return;
    case Act::kRelu6:
      for_each_index(n, 1,
                     [=](std::int64_t i) { g[i] = y[i] > 0.0f && y[i] < 6.0f ? g[i] : 0.0f; });
      return;
    case Act::kSigmoid:
      for_each_index(n, 1, [=](std::int64_t i) { g[i] *= y[i] * (1.0f - y[i]); });
      return;
    case Act::kTanh:
      for_each_index(n, 1, [=](std::int64_t i) { g[i] *= 1.0f - y[i] * y[i]; });
      return;
    case Act::kSoftmax: {
      const std::int64_t width = output.rank() == 0 ? 1 : output.shape().back();
      if (width == 0) return;
      for_each_index(n / width, width, [=](std::int64_t r) {
        const float* yr = y + r * width;
        float* gr = g + r * width;
        double dot = 0.0;
        for (std::int64_t j = 0; j < width; ++j) dot += static_cast<double>(gr[j]) * yr[j];
        const auto d = static_cast<float>(dot);
        for (std::int64_t j = 0; j < width; ++j) gr[j] = yr[j] * (gr[j] - d);
      });
      return;
    }
    case Act::kLeakyRelu:
      for_each_index(n, 1, [=](std::int64_t i) { g[i] *= y[i] > 0.0f ? 1.0f : kLeakySlope; });
      return;
    case Act::kElu:
      for_each_index(n, 1, [=](std::int64_t i) { g[i] *= y[i] > 0.0f ? 1.0f : y[i] + 1.0f; });
      return;
    case Act::kSelu:
      for_each_index(n, 1, [=](std::int64_t i) {
        g[i] *= y[i] > 0.0f ? kSeluScale : y[i] + kSeluScale * kSeluAlpha;
      });
      return;
    case Act::kSoftplus:
      for_each_index(n, 8, [=](std::int64_t i) { g[i] *= -std::expm1(-y[i]); });
      return;
    case Act::kSoftsign:
      for_each_index(n, 1, [=](std::int64_t i) {
        const float d = 1.0f - std::abs(y[i]);
        g[i] *= d * d;
      });
      return;
    case Act::kHardSigmoid:
      for_each_index(
          n, 1, [=](std::int64_t i) { g[i] = y[i] > 0.0f && y[i] < 1.0f ? g[i] / 6.0f : 0.0f; });
      return;
    case Act::kExponential:
      for_each_index(n, 1, [=](std::int64_t i) { g[i] *= y[i]; });
      return;
  }
}

}  // namespace strider::train::detail
