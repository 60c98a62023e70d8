#include "kernels/aligned.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace strider::kernels {
namespace {

bool on_a_line(const float* p) { return reinterpret_cast<std::uintptr_t>(p) % kLineBytes == 0; }

TEST(AlignedFloats, StartOnACacheLineForEverySize) {
  // Sizes around malloc's small-bin and mmap thresholds, where a std::vector lands at 16 bytes.
  for (std::int64_t count : {0, 1, 3, 15, 16, 17, 1000, 4099, 70000, 300000}) {
    const AlignedFloats a = aligned_floats_for_overwrite(count);
    const AlignedFloats b = aligned_floats(count);
    EXPECT_TRUE(on_a_line(a.get())) << count;
    EXPECT_TRUE(on_a_line(b.get())) << count;
  }
}

TEST(AlignedFloats, TheZeroedFormIsAllZeroAndTheBufferIsWritableToItsEnd) {
  const std::int64_t count = 4099;
  AlignedFloats a = aligned_floats(count);
  for (std::int64_t i = 0; i < count; ++i) ASSERT_EQ(a[i], 0.0f) << i;
  AlignedFloats b = aligned_floats_for_overwrite(count);
  for (std::int64_t i = 0; i < count; ++i) b[i] = static_cast<float>(i);  // ASan checks the end
  EXPECT_EQ(b[count - 1], static_cast<float>(count - 1));
}

}  // namespace
}  // namespace strider::kernels
