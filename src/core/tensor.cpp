#include "strider/core/tensor.hpp"

#include <fmt/format.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "strider/core/checked.hpp"
#include "strider/core/error.hpp"

namespace strider {

std::string format_shape(std::span<const std::int64_t> shape) {
  if (shape.size() == 1) return fmt::format("({},)", shape[0]);
  return fmt::format("({})", fmt::join(shape, ", "));
}

void require_rank(std::span<const std::int64_t> shape, std::size_t rank, std::string_view op,
                  std::string_view what, std::string_view layout) {
  if (shape.size() != rank) {
    throw ShapeError(fmt::format("{}: {} must be rank {} ({}), got rank {}: {}", op, what, rank,
                                 layout, shape.size(), format_shape(shape)));
  }
}

std::int64_t shape_size(std::span<const std::int64_t> shape, const char* what) {
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] < 0) {
      throw ShapeError(fmt::format("{}: dimension {} must be >= 0, got {} in shape {}", what, i,
                                   shape[i], format_shape(shape)));
    }
  }
  return checked_product(shape, what);
}

namespace {
constexpr std::int64_t kHugePage = std::int64_t{2} << 20;  // x86-64's 2 MiB pages
}  // namespace

void Tensor::AlignedFree::operator()(float* p) const { std::free(p); }

Tensor::Tensor(Shape shape) : Tensor(std::move(shape), NoInit{}) {
  std::memset(data_.get(), 0,
              static_cast<std::size_t>(std::max<std::int64_t>(size_, 1)) * sizeof(float));
}

Tensor Tensor::uninitialized(Shape shape) { return Tensor(std::move(shape), NoInit{}); }

Tensor::Tensor(Shape shape, NoInit) : shape_(std::move(shape)) {
  if (shape_.size() > kMaxRank) {
    throw ShapeError(fmt::format("tensor: rank must be <= {}, got {}", kMaxRank, shape_.size()));
  }
  size_ = shape_size(shape_);
  const std::int64_t bytes = checked_mul(std::max<std::int64_t>(size_, 1),
                                         static_cast<std::int64_t>(sizeof(float)), "tensor");
  // Tensors of a huge page or more start on one and are whole huge pages, which the kernel is
  // asked to back with huge pages (transparent huge pages in its "madvise" mode): a training
  // step's activations, tens of megabytes read by every layer, then need a few TLB entries
  // instead of thousands of page walks (the Fashion-MNIST CNN's step 1-3% faster, alternating
  // runs), and the dataset takes 18k page faults to load instead of 64k. The allocator keeps
  // and reuses the memory from step to step, so pages are faulted in once, not per step.
  // The memory limit counts the tensor's own bytes; the rest of its last huge page (under 2 MiB)
  // is not counted.
  constexpr auto kAlign = static_cast<std::int64_t>(kAlignment);
  reservation_ = MemoryReservation(checked_add(bytes, kAlign - 1, "tensor") / kAlign * kAlign,
                                   "a float32 tensor", shape_);
  const std::int64_t align = bytes >= kHugePage ? kHugePage : kAlign;
  const std::int64_t rounded = checked_add(bytes, align - 1, "tensor") / align * align;
  void* p = std::aligned_alloc(static_cast<std::size_t>(align), static_cast<std::size_t>(rounded));
#if defined(MADV_HUGEPAGE)
  if (p != nullptr && align == kHugePage) {
    madvise(p, static_cast<std::size_t>(rounded), MADV_HUGEPAGE);  // advice: failure is harmless
  }
#endif
  if (p == nullptr) {
    throw ResourceError(fmt::format("tensor: cannot allocate {} for shape {}",
                                    format_memory_size(rounded), format_shape(shape_)));
  }
  data_.reset(static_cast<float*>(p));
}

// Not zero-filled first: every value is copied over (a copy of a batch's activations, as a
// Flatten layer makes, spent as long zeroing as copying).
Tensor::Tensor(Shape shape, std::span<const float> values) : Tensor(std::move(shape), NoInit{}) {
  if (static_cast<std::int64_t>(values.size()) != size_) {
    throw ShapeError(fmt::format("tensor: shape {} holds {} values, got {}", format_shape(shape_),
                                 size_, values.size()));
  }
  std::copy(values.begin(), values.end(), data_.get());
}

Tensor::Tensor(const Tensor& other) : Tensor(other.shape_, other.values()) {}

Tensor& Tensor::operator=(const Tensor& other) {
  if (this != &other) *this = Tensor(other);
  return *this;
}

}  // namespace strider

namespace strider {

Tensor Tensor::reshaped(Shape shape) const& { return Tensor(*this).reshaped(std::move(shape)); }

Tensor Tensor::reshaped(Shape shape) && {
  if (shape.size() > kMaxRank || shape_size(shape) != size_) {
    throw ShapeError(fmt::format("tensor: cannot reshape {} ({} values) to {}",
                                 format_shape(shape_), size_, format_shape(shape)));
  }
  Tensor out = std::move(*this);
  out.shape_ = std::move(shape);
  return out;
}

}  // namespace strider
