// The per-ISA copies of the row sums give the same bits as the generic one: training's bias and
// batch-normalisation gradients must not depend on the CPU that computed them.
#include "kernels/row_sums.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "strider/core/random.hpp"

namespace strider::kernels {
namespace {

// Bitwise equality, so that a copy that fused a multiply-add (or reordered a sum) fails.
void expect_same_bits(const std::vector<double>& got, const std::vector<double>& want,
                      const char* what, std::int64_t channels) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t c = 0; c < got.size(); ++c) {
    EXPECT_EQ(std::memcmp(&got[c], &want[c], sizeof(double)), 0)
        << what << " channel " << c << " of " << channels << ": " << got[c] << " vs " << want[c];
  }
}

TEST(RowSums, EveryCopyThisCpuRunsGivesTheGenericBits) {
  const std::vector<const RowSums*> copies = row_sums_runnable();
  ASSERT_FALSE(copies.empty());
  Rng rng(17);
  for (const std::int64_t channels : {1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 64, 70, 96}) {
    const std::int64_t rows = 9;
    std::vector<float> x(rows * channels), g(x.size()), y(x.size()), shift(channels),
        inv_std(channels);
    std::vector<double> mean(channels);
    rng.fill_uniform(x, -3, 3);
    rng.fill_uniform(g, -1, 1);
    rng.fill_uniform(y, -1, 1);
    rng.fill_uniform(shift, -1, 1);
    rng.fill_uniform(inv_std, 0.1f, 2);
    for (std::int64_t c = 0; c < channels; ++c) mean[c] = 0.1 * static_cast<double>(c) - 1.0;
    std::vector<double> want[4];
    std::vector<float> want_masked;
    for (const RowSums* copy : copies) {
      std::vector<double> sums[4];
      for (std::vector<double>& s : sums) s.assign(channels, 0.5);
      std::vector<float> masked = g;
      copy->add(g.data(), sums[0].data(), rows, channels);
      copy->mask_and_add(y.data(), masked.data(), sums[1].data(), rows, channels);
      copy->add_squares(x.data(), mean.data(), sums[2].data(), rows, channels);
      copy->add_normalized_products(g.data(), x.data(), shift.data(), inv_std.data(),
                                    sums[3].data(), rows, channels);
      const char* names[] = {"add", "mask_and_add", "add_squares", "add_normalized_products"};
      if (copy == copies.front()) {
        // The generic copy a row per call: the channel blocks summed in registers must give
        // the bits of one row at a time.
        std::vector<double> by_row[4];
        for (std::vector<double>& s : by_row) s.assign(channels, 0.5);
        std::vector<float> masked_by_row = g;
        for (std::int64_t r = 0; r < rows; ++r) {
          const std::int64_t at = r * channels;
          copy->add(g.data() + at, by_row[0].data(), 1, channels);
          copy->mask_and_add(y.data() + at, masked_by_row.data() + at, by_row[1].data(), 1,
                             channels);
          copy->add_squares(x.data() + at, mean.data(), by_row[2].data(), 1, channels);
          copy->add_normalized_products(g.data() + at, x.data() + at, shift.data(), inv_std.data(),
                                        by_row[3].data(), 1, channels);
        }
        for (int k = 0; k < 4; ++k) expect_same_bits(sums[k], by_row[k], names[k], channels);
        EXPECT_EQ(masked, masked_by_row);
        for (int k = 0; k < 4; ++k) want[k] = sums[k];
        want_masked = masked;
        continue;
      }
      for (int k = 0; k < 4; ++k) expect_same_bits(sums[k], want[k], names[k], channels);
      EXPECT_EQ(std::memcmp(masked.data(), want_masked.data(), masked.size() * sizeof(float)), 0)
          << "mask_and_add's masked row, " << channels << " channels";
    }
  }
}

// The generic copy against plain arithmetic, so that the comparison above has a true base.
TEST(RowSums, TheGenericCopyComputesTheDocumentedSums) {
  const RowSums& generic = *row_sums_runnable().front();
  const float g[3] = {1.5f, -2.0f, 0.25f}, y[3] = {0.5f, 0.0f, -1.0f};
  const float x[3] = {2.0f, 1.0f, -1.0f}, shift[3] = {1.0f, 0.0f, 1.0f};
  const float inv_std[3] = {2.0f, 0.5f, 1.0f};
  const double mean[3] = {1.0, 3.0, 0.0};
  double sums[3] = {1.0, 1.0, 1.0}, squares[3] = {0, 0, 0}, products[3] = {0, 0, 0};
  double masked_sums[3] = {0, 0, 0};
  float masked[3] = {1.5f, -2.0f, 0.25f};
  generic.add(g, sums, 1, 3);
  generic.mask_and_add(y, masked, masked_sums, 1, 3);
  generic.add_squares(x, mean, squares, 1, 3);
  generic.add_normalized_products(g, x, shift, inv_std, products, 1, 3);
  EXPECT_EQ(sums[0], 2.5);
  EXPECT_EQ(sums[1], -1.0);
  EXPECT_EQ(sums[2], 1.25);
  EXPECT_EQ(masked[0], 1.5f);  // y > 0 keeps dy
  EXPECT_EQ(masked[1], 0.0f);  // y == 0 drops it
  EXPECT_EQ(masked[2], 0.0f);
  EXPECT_EQ(masked_sums[0], 1.5);
  EXPECT_EQ(squares[0], 1.0);
  EXPECT_EQ(squares[1], 4.0);
  EXPECT_EQ(squares[2], 1.0);
  EXPECT_EQ(products[0], 1.5 * 2.0);    // g * (2 - 1) * 2
  EXPECT_EQ(products[1], -2.0 * 0.5);   // g * (1 - 0) * 0.5
  EXPECT_EQ(products[2], 0.25 * -2.0);  // g * (-1 - 1) * 1
}

// Channel blocks (summed in registers over all rows) and the tail after them, against plain
// loops over rows: 70 channels are two blocks of 32 and a tail of 6.
TEST(RowSums, ManyRowsAtOnceSumLikePlainLoops) {
  const RowSums& generic = *row_sums_runnable().front();
  const std::int64_t rows = 5, channels = 70;
  Rng rng(3);
  std::vector<float> x(rows * channels), g(x.size()), y(x.size()), shift(channels),
      inv_std(channels);
  rng.fill_uniform(x, -3, 3);
  rng.fill_uniform(g, -1, 1);
  rng.fill_uniform(y, -1, 1);
  rng.fill_uniform(shift, -1, 1);
  rng.fill_uniform(inv_std, 0.1f, 2);
  std::vector<double> mean(channels, 0.25);
  std::vector<double> want[4], got[4];
  for (int k = 0; k < 4; ++k) want[k].assign(channels, 1.0), got[k].assign(channels, 1.0);
  std::vector<float> want_masked = g, masked = g;
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t c = 0; c < channels; ++c) {
      const std::int64_t at = r * channels + c;
      want[0][c] += g[at];
      want_masked[at] = y[at] > 0.0f ? g[at] : 0.0f;
      want[1][c] += want_masked[at];
      const double d = x[at] - mean[c];
      want[2][c] += d * d;
      const float normalized = (x[at] - shift[c]) * inv_std[c];
      want[3][c] += static_cast<double>(g[at]) * normalized;
    }
  }
  generic.add(g.data(), got[0].data(), rows, channels);
  generic.mask_and_add(y.data(), masked.data(), got[1].data(), rows, channels);
  generic.add_squares(x.data(), mean.data(), got[2].data(), rows, channels);
  generic.add_normalized_products(g.data(), x.data(), shift.data(), inv_std.data(), got[3].data(),
                                  rows, channels);
  const char* names[] = {"add", "mask_and_add", "add_squares", "add_normalized_products"};
  for (int k = 0; k < 4; ++k) expect_same_bits(got[k], want[k], names[k], channels);
  EXPECT_EQ(masked, want_masked);
}

}  // namespace
}  // namespace strider::kernels
