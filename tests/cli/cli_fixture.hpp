// The fixture the CLI's end-to-end tests share: a scratch directory per test, running the real
// binary (STRIDER_CLI) as a user would, and the checks every bad-input case makes.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

#include "strider/core/random.hpp"
#include "strider/core/tensor.hpp"
#include "strider/io/npy.hpp"

extern "C" char** environ;

namespace strider::cli_test {

// Starts `args` (args[0] the binary) in the background with no standard input and stdout
// discarded; stderr goes to `stderr_path`. Returns the pid, or -1 when it cannot start. For the
// tests that kill or interrupt a run part-way.
inline pid_t spawn(const std::vector<std::string>& args,
                   const std::string& stderr_path = "/dev/null") {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

namespace fs = std::filesystem;

struct Result {
  int status = -1;
  std::string out, err;
};

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           (std::string("strider_cli_") + info->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path path(const std::string& name) const { return dir_ / name; }

  static std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  // Runs `strider ARGS` (ARGS already shell-quoted where needed) with no standard input.
  Result run(const std::string& args) const {
    const fs::path out = dir_ / "stdout.txt", err = dir_ / "stderr.txt";
    const std::string command = std::string("'") + STRIDER_CLI + "' " + args + " </dev/null >'" +
                                out.string() + "' 2>'" + err.string() + "'";
    const int raw = std::system(command.c_str());
    Result r;
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
  }

  // Bad input: exit 2, exactly one line on stderr starting "strider: error: " and containing
  // every fragment, nothing on stdout, and `output` (if given) not created.
  void expect_error(const std::string& args, std::initializer_list<std::string> fragments,
                    const std::string& output = "") const {
    const Result r = run(args);
    EXPECT_EQ(r.status, 2) << args << "\n" << r.err;
    EXPECT_EQ(r.err.rfind("strider: error: ", 0), 0u) << args << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << "\n" << r.err;
    for (const std::string& f : fragments) {
      EXPECT_NE(r.err.find(f), std::string::npos) << args << "\nmissing '" << f << "' in " << r.err;
    }
    EXPECT_TRUE(r.out.empty()) << r.out;
    if (!output.empty()) {
      EXPECT_FALSE(fs::exists(path(output))) << args;
    }
    for (const auto& entry : fs::directory_iterator(dir_)) {
      EXPECT_EQ(entry.path().filename().string().find(".tmp."), std::string::npos)
          << "temporary left behind: " << entry.path();
    }
  }

  void save(const std::string& name, const Tensor& t) const { io::write_npy(path(name), t); }
  void save_bytes(const std::string& name, const std::string& bytes) const {
    std::ofstream(path(name), std::ios::binary) << bytes;
  }

  // A seeded tensor with values in [-1, 1).
  static Tensor random(Shape shape, std::uint64_t seed) {
    Rng rng(seed);
    Tensor t(std::move(shape));
    rng.fill_uniform(t.values(), -1, 1);
    return t;
  }

  // input.npy (N,H,W,C) and filter.npy (KH,KW,C/groups,F) with seeded values.
  void save_problem(Shape input, Shape filter, std::uint64_t seed = 1) const {
    save("x.npy", random(std::move(input), seed));
    save("w.npy", random(std::move(filter), seed + 1));
  }

  // The path of a file in the scratch directory, quoted for the shell.
  std::string quoted(const std::string& name) const {
    // Appending rather than "'" + string: GCC 12 reports a false -Wrestrict on the latter.
    std::string q(1, '\'');
    q += path(name).string();
    q += '\'';
    return q;
  }

  // The CLI wrote `name` and it holds exactly `want` (same kernels, so the same bits).
  void expect_output(const std::string& name, const Tensor& want) const {
    const Tensor got = io::read_npy(path(name));
    ASSERT_EQ(got.shape(), want.shape());
    for (std::int64_t i = 0; i < got.size(); ++i) ASSERT_EQ(got.data()[i], want.data()[i]) << i;
  }

  // Runs `ARGS --strides FORM OPTIONS` for each form of stride 2 (2, 2,2 and 1,2,2,1) and checks
  // that every run writes `want` to y.npy.
  void expect_every_stride_form(const std::string& args, const std::string& options,
                                const Tensor& want) const {
    for (const char* form : {"2", "2,2", "1,2,2,1"}) {
      const Result r = run(args + " --strides " + form + " " + options);
      ASSERT_EQ(r.status, 0) << form << ": " << r.err;
      expect_output("y.npy", want);
    }
  }

  std::string io_args(const std::string& output = "y.npy") const {
    return "conv --input '" + path("x.npy").string() + "' --filter '" + path("w.npy").string() +
           "' --output '" + path(output).string() + "'";
  }

  fs::path dir_;
};

}  // namespace strider::cli_test
