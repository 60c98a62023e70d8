// Kills the real CLI with SIGKILL at chosen moments while it replaces an existing 16 MiB output
// .npy, and checks after every kill that the destination holds the old file or the new one, byte
// for byte, never a mix or a prefix; a temporary that a kill leaves behind is a hidden
// ".y.npy.tmp.XXXXXX" beside it, never the destination.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cli_fixture.hpp"

namespace strider::cli_test {
namespace {

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<fs::path> temporaries(const fs::path& dir) {
  std::vector<fs::path> found;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind(".y.npy.tmp.", 0) == 0)
      found.push_back(entry.path());
  }
  return found;
}

TEST_F(Cli, KilledWhileReplacingAnOutputLeavesTheOldOrTheNewFile) {
  // A 1x1 convolution with 64 filters turns a 256 KiB input into a 16 MiB output.
  save("x.npy", random({1, 256, 256, 1}, 1));
  save("w_old.npy", random({1, 1, 1, 64}, 2));
  save("w_new.npy", random({1, 1, 1, 64}, 3));
  const auto conv = [&](const std::string& filter, const std::string& output) {
    return std::vector<std::string>{STRIDER_CLI, "conv",
                                    "--input",   path("x.npy").string(),
                                    "--filter",  path(filter).string(),
                                    "--output",  path(output).string()};
  };
  ASSERT_EQ(run("conv --input " + quoted("x.npy") + " --filter " + quoted("w_old.npy") +
                " --output " + quoted("old.npy"))
                .status,
            0);
  const auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(run("conv --input " + quoted("x.npy") + " --filter " + quoted("w_new.npy") +
                " --output " + quoted("new.npy"))
                .status,
            0);
  const double full_run_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  const std::string old_bytes = read_bytes(path("old.npy")),
                    new_bytes = read_bytes(path("new.npy"));
  ASSERT_NE(old_bytes, new_bytes);
  ASSERT_GT(new_bytes.size(), std::size_t{16} << 20);

  std::mt19937 rng(2026);
  int killed_while_writing = 0;
  for (int round = 0; round < 10; ++round) {
    fs::copy_file(path("old.npy"), path("y.npy"), fs::copy_options::overwrite_existing);
    const pid_t pid = spawn(conv("w_new.npy", "y.npy"));
    ASSERT_GT(pid, 0);
    int status = 0;
    bool exited = false;
    if (round % 2 == 0) {
      // The moment the temporary appears, plus 0-2 ms: inside the write, the fsync or the rename.
      while (!exited && temporaries(dir_).empty()) {
        exited = ::waitpid(pid, &status, WNOHANG) == pid;
        if (!exited) std::this_thread::sleep_for(std::chrono::microseconds(100));
      }
      std::this_thread::sleep_for(
          std::chrono::microseconds(std::uniform_int_distribution<int>(0, 2000)(rng)));
    } else {
      // Anywhere in a whole run: reading, computing, writing or renaming.
      std::this_thread::sleep_for(std::chrono::microseconds(static_cast<int>(
          std::uniform_real_distribution<double>(0.0, full_run_ms * 1000.0)(rng))));
    }
    if (!exited) {
      ::kill(pid, SIGKILL);
      ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    }
    const std::string now = read_bytes(path("y.npy"));
    EXPECT_TRUE(now == old_bytes || now == new_bytes)
        << "round " << round << ": y.npy holds " << now.size() << " bytes, neither file";
    const std::vector<fs::path> left = temporaries(dir_);
    if (WIFSIGNALED(status) && !left.empty()) ++killed_while_writing;
    for (const fs::path& t : left) {
      EXPECT_NE(t.filename(), "y.npy");
      fs::remove(t);
    }
  }
  // Every even round saw the temporary before killing: at least one of them caught the write.
  RecordProperty("killed_while_writing", killed_while_writing);
  EXPECT_GT(killed_while_writing, 0);
}

}  // namespace
}  // namespace strider::cli_test
