// The ReLU folded into the Conv2D input gradients (ReluFold): the mask and the per-image channel
// sums, with the bias gradient's row functions.
#include "kernels/conv2d_backward/conv2d_backward_kernel.hpp"
#include "kernels/parallel.hpp"
#include "kernels/row_sums.hpp"

namespace strider::kernels {

namespace {

// The image sums, with the mask first unless the kernel stored its gradient masked already; the
// sums add the same values in the same order either way.
void fold(const Conv2DBackwardInputProblem& p, std::int64_t n0, std::int64_t count, bool mask) {
  const Conv2DGeometry& g = p.geometry;
  const std::int64_t c_all = g.in_channels;
  const std::int64_t pixels = g.height.input_size() * g.width.input_size();
  const RowSums& sums = row_sums();
  for (std::int64_t n = n0; n < n0 + count; ++n) {
    double* acc = p.relu->image_sums + n * c_all;
    for (std::int64_t c = 0; c < c_all; ++c) acc[c] = 0.0;
    float* dx = p.grad_input + n * pixels * c_all;
    if (mask) {
      sums.mask_and_add(p.relu->relu_output + n * pixels * c_all, dx, acc, pixels, c_all);
    } else {
      sums.add(dx, acc, pixels, c_all);
    }
  }
}

}  // namespace

void fold_relu(const Conv2DBackwardInputProblem& p, std::int64_t n0, std::int64_t count) {
  fold(p, n0, count, true);
}

void fold_relu_sums(const Conv2DBackwardInputProblem& p, std::int64_t n0, std::int64_t count) {
  fold(p, n0, count, false);
}

void fold_relu_all(const Conv2DBackwardInputProblem& p, bool masked) {
  const Conv2DGeometry& g = p.geometry;
  const std::int64_t image = g.height.input_size() * g.width.input_size() * g.in_channels;
  parallel_for(g.batch, g.batch * image >= (std::int64_t{1} << 16),
               [&](std::int64_t n) { fold(p, n, 1, !masked); });
}

}  // namespace strider::kernels
