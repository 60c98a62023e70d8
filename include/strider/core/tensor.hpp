// Tensor: a dense, row-major (C order) float32 array with up to 8 dimensions. Activations are
// NHWC and filters HWIO by convention (see DESIGN.md); the Tensor itself does not care. Storage is
// 64-byte aligned so that SIMD kernels can use aligned loads on the first element.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "strider/core/memory.hpp"

namespace strider {

using Shape = std::vector<std::int64_t>;

// "(1, 8, 8, 32)", as NumPy and Keras print shapes; "()" for a scalar, "(5,)" for one dimension.
std::string format_shape(std::span<const std::int64_t> shape);

// Throws ShapeError "<op>: <what> must be rank <rank> (<layout>), got rank r: <shape>" unless
// `shape` has `rank` dimensions; `layout` names them ("NHWC", "HWIO", "[kh, kw, in, multiplier]").
void require_rank(std::span<const std::int64_t> shape, std::size_t rank, std::string_view op,
                  std::string_view what, std::string_view layout);

// Number of elements of a shape, checked: throws ShapeError on a negative extent or on overflow.
std::int64_t shape_size(std::span<const std::int64_t> shape, const char* what = "tensor");

class Tensor {
 public:
  static constexpr std::size_t kMaxRank = 8;
  static constexpr std::size_t kAlignment = 64;

  Tensor() : Tensor(Shape{0}) {}  // an empty tensor of shape (0,)
  // Zero-filled tensor. Throws ShapeError on a negative extent, an overflowing element count or a
  // rank above kMaxRank, and ResourceError (before allocating) when its bytes would take the
  // memory in use above memory_limit().
  explicit Tensor(Shape shape);
  Tensor(Shape shape, std::span<const float> values);  // copies; values.size() must match
  Tensor(std::initializer_list<std::int64_t> shape) : Tensor(Shape(shape)) {}

  // A tensor whose values are left unset, for outputs that a kernel writes in full: zeroing them
  // first would double the memory traffic of memory-bound ops (depthwise, pooling).
  static Tensor uninitialized(Shape shape);

  Tensor(const Tensor& other);
  Tensor& operator=(const Tensor& other);
  Tensor(Tensor&&) noexcept = default;
  Tensor& operator=(Tensor&&) noexcept = default;

  const Shape& shape() const { return shape_; }
  std::size_t rank() const { return shape_.size(); }
  std::int64_t dim(std::size_t axis) const { return shape_.at(axis); }
  std::int64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  float* data() { return data_.get(); }
  const float* data() const { return data_.get(); }
  std::span<float> values() { return {data_.get(), static_cast<std::size_t>(size_)}; }
  std::span<const float> values() const { return {data_.get(), static_cast<std::size_t>(size_)}; }

  // The same values under another shape with the same element count (C order is unchanged).
  // Throws ShapeError when the counts differ. The rvalue form moves the storage.
  Tensor reshaped(Shape shape) const&;
  Tensor reshaped(Shape shape) &&;

  // Element access in C order for a rank-4 tensor (no bounds check beyond debug asserts).
  float& at(std::int64_t i0, std::int64_t i1, std::int64_t i2, std::int64_t i3) {
    return data_[static_cast<std::size_t>(((i0 * shape_[1] + i1) * shape_[2] + i2) * shape_[3] +
                                          i3)];
  }
  float at(std::int64_t i0, std::int64_t i1, std::int64_t i2, std::int64_t i3) const {
    return data_[static_cast<std::size_t>(((i0 * shape_[1] + i1) * shape_[2] + i2) * shape_[3] +
                                          i3)];
  }

 private:
  struct AlignedFree {
    void operator()(float* p) const;
  };

  struct NoInit {};
  Tensor(Shape shape, NoInit);

  Shape shape_;
  std::int64_t size_ = 0;
  MemoryReservation reservation_;
  std::unique_ptr<float[], AlignedFree> data_;
};

}  // namespace strider
