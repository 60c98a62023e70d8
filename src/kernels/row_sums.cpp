#include "kernels/row_sums.hpp"

#include "kernels/conv2d/conv2d_direct.hpp"
#include "kernels/isa_target.hpp"

namespace strider::kernels {
namespace {

[[gnu::always_inline]] inline void add_row(const float* dy, double* acc, std::int64_t channels) {
  for (std::int64_t c = 0; c < channels; ++c) acc[c] += dy[c];
}

// Two loops over the row while it is in L1: each vectorises, where one loop that both stores to
// dy and adds to acc ran a float at a time.
[[gnu::always_inline]] inline void mask_and_add_row(const float* relu_output, float* dy,
                                                    double* acc, std::int64_t channels) {
  for (std::int64_t c = 0; c < channels; ++c) dy[c] = relu_output[c] > 0.0f ? dy[c] : 0.0f;
  add_row(dy, acc, channels);
}

[[gnu::always_inline]] inline void add_squares_row(const float* x, const double* mean, double* acc,
                                                   std::int64_t channels) {
  for (std::int64_t c = 0; c < channels; ++c) {
    const double d = x[c] - mean[c];
    acc[c] += d * d;
  }
}

[[gnu::always_inline]] inline void add_normalized_products_row(const float* g, const float* x,
                                                               const float* shift,
                                                               const float* inv_std, double* acc,
                                                               std::int64_t channels) {
  for (std::int64_t c = 0; c < channels; ++c) {
    const float normalized = (x[c] - shift[c]) * inv_std[c];
    acc[c] += static_cast<double>(g[c]) * normalized;
  }
}

// This file is compiled with -ffp-contract=off (CMakeLists.txt): GCC would otherwise fuse the
// multiply-adds of the AVX2 and AVX-512 copies into FMAs, and their last bits would differ from
// the generic copy's (row_sums_test caught it in add_squares and add_normalized_products).
#define STRIDER_ROW_SUMS(isa)                                                                \
  void add_row_##isa(const float* dy, double* acc, std::int64_t channels) {                  \
    add_row(dy, acc, channels);                                                              \
  }                                                                                          \
  void mask_and_add_row_##isa(const float* y, float* dy, double* acc, std::int64_t n) {      \
    mask_and_add_row(y, dy, acc, n);                                                         \
  }                                                                                          \
  void add_squares_##isa(const float* x, const double* mean, double* acc, std::int64_t n) {  \
    add_squares_row(x, mean, acc, n);                                                        \
  }                                                                                          \
  void add_normalized_products_##isa(const float* g, const float* x, const float* shift,     \
                                     const float* inv_std, double* acc, std::int64_t n) {    \
    add_normalized_products_row(g, x, shift, inv_std, acc, n);                               \
  }                                                                                          \
  constexpr RowSums kRowSums_##isa{add_row_##isa, mask_and_add_row_##isa, add_squares_##isa, \
                                   add_normalized_products_##isa};

STRIDER_ROW_SUMS(generic)
STRIDER_ISA_BEGIN_AVX2
STRIDER_ROW_SUMS(avx2)
STRIDER_ISA_END
STRIDER_ISA_BEGIN_AVX512
STRIDER_ROW_SUMS(avx512)
STRIDER_ISA_END
#undef STRIDER_ROW_SUMS

}  // namespace

const RowSums& row_sums() {
  return cpu_has_avx512() ? kRowSums_avx512 : cpu_has_avx2() ? kRowSums_avx2 : kRowSums_generic;
}

std::vector<const RowSums*> row_sums_runnable() {
  std::vector<const RowSums*> copies{&kRowSums_generic};
  if (cpu_has_avx2()) copies.push_back(&kRowSums_avx2);
  if (cpu_has_avx512()) copies.push_back(&kRowSums_avx512);
  return copies;
}

}  // namespace strider::kernels
