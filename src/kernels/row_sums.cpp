#include "kernels/row_sums.hpp"

#include "kernels/conv2d/conv2d_direct.hpp"
#include "kernels/isa_target.hpp"

namespace strider::kernels {
namespace {

// Channels are summed kBlock at a time over all the rows, the block's sums held in registers
// (4 zmm, 8 ymm): one call per row kept them in memory, and each row's add waited on the last
// row's store (the ReLU fold at one row per call was 5.7% of the CNN's training step). The rest
// of the channels (fewer than kBlock) go a row at a time. Channel c sees the same additions in
// the same order either way.
constexpr std::int64_t kBlock = 32;

// op(at, c0, width, sums) adds row r's channels [c0, c0 + width) into sums[0, width), with
// at = r * channels + c0.
template <class RowOp>
[[gnu::always_inline]] inline void over_rows(double* acc, std::int64_t rows, std::int64_t channels,
                                             const RowOp& op) {
  std::int64_t c0 = 0;
  for (; c0 + kBlock <= channels; c0 += kBlock) {
    double sums[kBlock];
    for (std::int64_t c = 0; c < kBlock; ++c) sums[c] = acc[c0 + c];
    for (std::int64_t r = 0; r < rows; ++r) op(r * channels + c0, c0, kBlock, sums);
    for (std::int64_t c = 0; c < kBlock; ++c) acc[c0 + c] = sums[c];
  }
  if (c0 < channels) {
    for (std::int64_t r = 0; r < rows; ++r) op(r * channels + c0, c0, channels - c0, acc + c0);
  }
}

[[gnu::always_inline]] inline void add_rows(const float* dy, double* acc, std::int64_t rows,
                                            std::int64_t channels) {
  over_rows(acc, rows, channels, [&](std::int64_t at, std::int64_t, std::int64_t width, double* s) {
    for (std::int64_t c = 0; c < width; ++c) s[c] += dy[at + c];
  });
}

// Two loops over a row: each vectorises, where one loop that both stores to dy and adds to the
// sums ran a float at a time (when the sums were in memory).
[[gnu::always_inline]] inline void mask_and_add_rows(const float* relu_output, float* dy,
                                                     double* acc, std::int64_t rows,
                                                     std::int64_t channels) {
  over_rows(acc, rows, channels, [&](std::int64_t at, std::int64_t, std::int64_t width, double* s) {
    float* d = dy + at;
    const float* y = relu_output + at;
    for (std::int64_t c = 0; c < width; ++c) d[c] = y[c] > 0.0f ? d[c] : 0.0f;
    for (std::int64_t c = 0; c < width; ++c) s[c] += d[c];
  });
}

[[gnu::always_inline]] inline void add_squares_rows(const float* x, const double* mean, double* acc,
                                                    std::int64_t rows, std::int64_t channels) {
  over_rows(acc, rows, channels,
            [&](std::int64_t at, std::int64_t c0, std::int64_t width, double* s) {
              for (std::int64_t c = 0; c < width; ++c) {
                const double d = x[at + c] - mean[c0 + c];
                s[c] += d * d;
              }
            });
}

[[gnu::always_inline]] inline void add_normalized_products_rows(const float* g, const float* x,
                                                                const float* shift,
                                                                const float* inv_std, double* acc,
                                                                std::int64_t rows,
                                                                std::int64_t channels) {
  over_rows(acc, rows, channels,
            [&](std::int64_t at, std::int64_t c0, std::int64_t width, double* s) {
              for (std::int64_t c = 0; c < width; ++c) {
                const float normalized = (x[at + c] - shift[c0 + c]) * inv_std[c0 + c];
                s[c] += static_cast<double>(g[at + c]) * normalized;
              }
            });
}

// This file is compiled with -ffp-contract=off (CMakeLists.txt): GCC would otherwise fuse the
// multiply-adds of the AVX2 and AVX-512 copies into FMAs, and their last bits would differ from
// the generic copy's (row_sums_test caught it in add_squares and add_normalized_products).
#define STRIDER_ROW_SUMS(isa)                                                                \
  void add_##isa(const float* dy, double* acc, std::int64_t rows, std::int64_t channels) {   \
    add_rows(dy, acc, rows, channels);                                                       \
  }                                                                                          \
  void mask_and_add_##isa(const float* y, float* dy, double* acc, std::int64_t rows,         \
                          std::int64_t channels) {                                           \
    mask_and_add_rows(y, dy, acc, rows, channels);                                           \
  }                                                                                          \
  void add_squares_##isa(const float* x, const double* mean, double* acc, std::int64_t rows, \
                         std::int64_t channels) {                                            \
    add_squares_rows(x, mean, acc, rows, channels);                                          \
  }                                                                                          \
  void add_normalized_products_##isa(const float* g, const float* x, const float* shift,     \
                                     const float* inv_std, double* acc, std::int64_t rows,   \
                                     std::int64_t channels) {                                \
    add_normalized_products_rows(g, x, shift, inv_std, acc, rows, channels);                 \
  }                                                                                          \
  constexpr RowSums kRowSums_##isa{add_##isa, mask_and_add_##isa, add_squares_##isa,         \
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
