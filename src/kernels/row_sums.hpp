// Per-channel sums of rows in double (bias gradients, batch normalisation's statistics and
// gradients), compiled for each ISA (the library's baseline is SSE2, where the float to double
// widening ran two lanes at a time and the pass took 7% of a training step). Every channel sees
// the same additions in the same order on every ISA, so the sums are the same bits.
#pragma once

#include <cstdint>
#include <vector>

namespace strider::kernels {

// Each adds `rows` consecutive rows of `channels` floats (row r at r * channels) into acc, row by
// row.
struct RowSums {
  // acc[c] += dy[r][c].
  void (*add)(const float* dy, double* acc, std::int64_t rows, std::int64_t channels);
  // dy[r][c] = relu_output[r][c] > 0 ? dy[r][c] : 0 (a ReLU's backward, in place), then add.
  void (*mask_and_add)(const float* relu_output, float* dy, double* acc, std::int64_t rows,
                       std::int64_t channels);
  // acc[c] += d * d with d = x[r][c] - mean[c] in double (batch normalisation's variance).
  void (*add_squares)(const float* x, const double* mean, double* acc, std::int64_t rows,
                      std::int64_t channels);
  // acc[c] += g[r][c] * ((x[r][c] - shift[c]) * inv_std[c]), the parenthesis in float (batch
  // normalisation's gamma gradient).
  void (*add_normalized_products)(const float* g, const float* x, const float* shift,
                                  const float* inv_std, double* acc, std::int64_t rows,
                                  std::int64_t channels);
};

// The copies for this CPU.
const RowSums& row_sums();

// Every set of copies this CPU can run, the generic one first: tests compare their bits.
std::vector<const RowSums*> row_sums_runnable();

}  // namespace strider::kernels
