// Tests for the memory limit: size parsing, the reservation arithmetic, and that tensors, .npy
// reads and kernel scratch are refused before they allocate.
#include "strider/core/memory.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "strider/core/error.hpp"
#include "strider/core/tensor.hpp"
#include "strider/io/npy.hpp"
#include "strider/ops/conv2d.hpp"
#include "strider/ops/conv2d_transpose.hpp"

namespace strider {
namespace {

constexpr std::int64_t kKiB = 1024, kMiB = kKiB * 1024, kGiB = kMiB * 1024;

// Sets the limit for one test and restores it afterwards.
class LimitedMemory {
 public:
  explicit LimitedMemory(std::int64_t bytes) : saved_(memory_limit()) { set_memory_limit(bytes); }
  ~LimitedMemory() { set_memory_limit(saved_); }
  LimitedMemory(const LimitedMemory&) = delete;
  LimitedMemory& operator=(const LimitedMemory&) = delete;

 private:
  std::int64_t saved_;
};

std::string resource_message(const auto& fn) {
  try {
    fn();
  } catch (const ResourceError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a ResourceError";
  return "";
}

TEST(MemorySize, ParsesBytesAndBinarySuffixes) {
  EXPECT_EQ(parse_memory_size("1048576", "--max-memory"), kMiB);
  EXPECT_EQ(parse_memory_size("512M", "--max-memory"), 512 * kMiB);
  EXPECT_EQ(parse_memory_size("4G", "--max-memory"), 4 * kGiB);
  EXPECT_EQ(parse_memory_size("4g", "--max-memory"), 4 * kGiB);
  EXPECT_EQ(parse_memory_size("4GB", "--max-memory"), 4 * kGiB);
  EXPECT_EQ(parse_memory_size("64KiB", "--max-memory"), 64 * kKiB);
  EXPECT_EQ(parse_memory_size("1.5G", "--max-memory"), 3 * kGiB / 2);
  EXPECT_EQ(parse_memory_size("2T", "--max-memory"), 2048 * kGiB);
  EXPECT_EQ(parse_memory_size("100B", "--max-memory"), 100);
  EXPECT_EQ(parse_memory_size("9223372036854775807", "x"), INT64_MAX);
}

TEST(MemorySize, RefusesMalformedSizesNamingTheOption) {
  for (const char* bad : {"", "0", "-1", "G", "4X", "4GiBs", "1.5", "1.G", ".5G", "4 G", "1e9",
                          "9223372036854775808", "99999999999T", "1.0000000001G"}) {
    try {
      parse_memory_size(bad, "--max-memory");
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find("--max-memory"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(std::string("'") + bad + "'"), std::string::npos);
    }
  }
}

TEST(MemorySize, FormatsBinaryUnitsWithTheExactCount) {
  EXPECT_EQ(format_memory_size(512), "512 B");
  EXPECT_EQ(format_memory_size(3 * kGiB / 2), "1.5 GiB (1,610,612,736 bytes)");
}

TEST(MemoryLimit, DefaultsToTheMachinesMemory) {
  const std::int64_t available = available_memory_bytes();
  ASSERT_GT(available, 0);
  EXPECT_LE(available, static_cast<std::int64_t>(::sysconf(_SC_PHYS_PAGES)) *
                           static_cast<std::int64_t>(::sysconf(_SC_PAGESIZE)));
  EXPECT_EQ(memory_limit(), available);
  EXPECT_THROW(set_memory_limit(0), InvalidArgument);
}

TEST(MemoryLimit, ReservationsAddUpAndRelease) {
  const LimitedMemory limit(memory_in_use() + 10 * kMiB);
  const std::int64_t base = memory_in_use();
  {
    MemoryReservation a(6 * kMiB, "a");
    EXPECT_EQ(memory_in_use(), base + 6 * kMiB);
    const std::string message = resource_message([] { MemoryReservation b(6 * kMiB, "b"); });
    EXPECT_NE(message.find("b needs 6.0 MiB (6,291,456 bytes)"), std::string::npos) << message;
    EXPECT_NE(message.find("with 6.0 MiB"), std::string::npos) << message;
    EXPECT_NE(message.find("--max-memory"), std::string::npos) << message;
    EXPECT_EQ(memory_in_use(), base + 6 * kMiB);  // the refused one left no trace
    MemoryReservation moved = std::move(a);
    EXPECT_EQ(memory_in_use(), base + 6 * kMiB);
  }
  EXPECT_EQ(memory_in_use(), base);
  MemoryReservation huge_refused;
  EXPECT_THROW(huge_refused = MemoryReservation(INT64_MAX, "everything"), ResourceError);
  EXPECT_EQ(memory_in_use(), base);
}

TEST(MemoryLimit, TensorsAreRefusedBeforeAllocatingWithTheirShapeAndSize) {
  const LimitedMemory limit(memory_in_use() + 64 * kMiB);
  const std::string message = resource_message([] {
    Tensor t({1, 100000, 100000, 32});
  });  // 1.2 TiB
  EXPECT_NE(message.find("a float32 tensor of shape (1, 100000, 100000, 32) needs 1.2 TiB "
                         "(1,280,000,000,000 bytes)"),
            std::string::npos)
      << message;
  const std::int64_t before = memory_in_use();
  {
    Tensor held({4, kMiB});  // 16 MiB
    EXPECT_EQ(memory_in_use(), before + 16 * kMiB);
    Tensor moved = std::move(held);
    EXPECT_EQ(memory_in_use(), before + 16 * kMiB);
    Tensor copy = moved;
    EXPECT_EQ(memory_in_use(), before + 32 * kMiB);
  }
  EXPECT_EQ(memory_in_use(), before);
}

TEST(MemoryLimit, ConvolutionOutputsAreRefusedBeforeAllocating) {
  const LimitedMemory limit(memory_in_use() + 64 * kMiB);
  // Legal geometry whose output needs 64 GiB: stride 1, SAME, 1x1 filter with many filters.
  const Tensor input({1, 1024, 1024, 1});
  const Tensor filter({1, 1, 1, 16384});
  const std::string message = resource_message([&] { conv2d(input, filter, nullptr); });
  EXPECT_NE(message.find("(1, 1024, 1024, 16384) needs 64.0 GiB"), std::string::npos) << message;
  // The transposed convolution's per-image accumulator (doubles) is reserved too.
  // Its output (2, 1024, 1024, 4) is 32 MiB; the per-image accumulator (doubles) another 32 MiB.
  Conv2DTransposeOptions options;
  options.params.strides = {64, 64};
  const Tensor small({2, 16, 16, 1});
  const Tensor up({64, 64, 4, 1});
  const LimitedMemory tighter(memory_in_use() + 40 * kMiB);
  const std::string scratch =
      resource_message([&] { conv2d_transpose(small, up, nullptr, options); });
  EXPECT_NE(scratch.find("conv2d_transpose: the accumulator for one image needs 32.0 MiB"),
            std::string::npos)
      << scratch;
}

TEST(MemoryLimit, NpyTensorsBeyondTheLimitAreRefusedWithTheFileName) {
  const std::vector<std::byte> small = io::encode_npy(Tensor({300, 300}));  // 360,000 bytes
  const std::vector<std::byte> big = io::encode_npy(Tensor({600, 600}));    // 1,440,000 bytes
  const LimitedMemory limit(memory_in_use() + kMiB);
  EXPECT_NO_THROW(io::parse_npy(small, "ok.npy"));
  const std::string message = resource_message([&] { io::parse_npy(big, "big.npy"); });
  EXPECT_NE(message.find("big.npy: a float32 tensor of shape (600, 600) needs 1.4 MiB"),
            std::string::npos)
      << message;
}

TEST(MemoryLimit, FilesBeyondTheLimitAreRefusedBeforeReading) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                     ("strider_memory_" + std::to_string(::getpid()) + ".npy");
  io::write_npy(path, Tensor({600, 600}));
  {
    const LimitedMemory limit(memory_in_use() + kMiB);
    const std::string message = resource_message([&] { io::read_npy(path); });
    EXPECT_NE(message.find("reading '" + path.string() + "' needs 1.4 MiB"), std::string::npos)
        << message;
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace strider
