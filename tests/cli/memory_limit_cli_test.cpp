// The CLI's global --max-memory: inputs, outputs and declared shapes that would need more memory
// than the limit are refused before anything is allocated, with the size in the one-line error.
#include <string>

#include "cli_fixture.hpp"

namespace strider::cli_test {
namespace {

TEST_F(Cli, MaxMemoryRefusesAnOutputBeforeAllocatingIt) {
  // A 1x1 convolution with 64 filters: a 16 KiB input becomes a 1 MiB output.
  save_problem({1, 64, 64, 1}, {1, 1, 1, 64});
  const std::string args = "conv --input " + quoted("x.npy") + " --filter " + quoted("w.npy") +
                           " --output " + quoted("y.npy");
  expect_error("--max-memory 512K " + args,
               {"a float32 tensor of shape (1, 64, 64, 64) needs 1.0 MiB (1,048,576 bytes)",
                "the memory limit is 512.0 KiB (524,288 bytes)", "--max-memory"},
               "y.npy");
  // The global option may also follow the command, and a limit that fits lets the run through.
  expect_error(args + " --max-memory 512K", {"needs 1.0 MiB"}, "y.npy");
  EXPECT_EQ(run("--max-memory 8M " + args).status, 0);
  EXPECT_EQ(io::read_npy(path("y.npy")).shape(), Shape({1, 64, 64, 64}));
}

TEST_F(Cli, MaxMemoryRefusesAnInputFileBeforeReadingIt) {
  save("x.npy", Tensor({1, 512, 512, 1}));  // 1 MiB of data
  save("w.npy", Tensor({1, 1, 1, 1}));
  expect_error("--max-memory 256K pool --op max --pool 2 --input " + quoted("x.npy") +
                   " --output " + quoted("y.npy"),
               {"reading '" + path("x.npy").string() + "' needs 1.0 MiB"}, "y.npy");
}

TEST_F(Cli, HugeDeclaredShapesAreRefusedWithTheirSize) {
  // A header declaring 400 GB in a file of a few bytes: refused before allocating, naming the size.
  const std::string header =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 100000, 100000, 10), }\n";
  std::string bytes = "\x93NUMPY";
  bytes += '\x01';
  bytes += '\0';
  bytes += static_cast<char>(header.size());
  bytes += '\0';
  save_bytes("x.npy", bytes + header + std::string(16, '\0'));
  save("w.npy", Tensor({1, 1, 10, 1}));
  expect_error(io_args(), {"truncated: expected 400000000000 bytes of data, found 16"}, "y.npy");
}

TEST_F(Cli, MaxMemoryRefusesMalformedSizes) {
  for (const char* bad : {"0", "12X", "-1G", "1.5", "G"}) {
    expect_error(std::string("--max-memory=") + bad + " demo",
                 {"--max-memory: expected a size such as 512M, 4G or 1048576",
                  std::string("got '") + bad + "'"});
  }
  EXPECT_NE(run("--help").out.find("--max-memory"), std::string::npos);
}

}  // namespace
}  // namespace strider::cli_test
