// Tests for read_file and write_file_atomic: contents, error messages, and that no temporary file
// outlives a write, whether it succeeded or failed.
#include "strider/io/atomic_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "strider/core/error.hpp"

namespace strider::io {
namespace {

namespace fs = std::filesystem;

std::vector<std::byte> to_bytes(std::string_view text) {
  std::vector<std::byte> out;
  for (const char c : text) out.push_back(static_cast<std::byte>(c));
  return out;
}

std::string to_string(const std::vector<std::byte>& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::vector<std::string> list_dir(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

template <typename Fn>
std::string io_error_message(Fn&& fn) {
  try {
    fn();
  } catch (const IoError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an IoError";
  return "";
}

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("strider_atomic_file_test_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

TEST_F(AtomicFileTest, WritesAndReadsBack) {
  const fs::path path = dir_ / "a.bin";
  const std::string text("hello\0world", 11);
  write_file_atomic(path, to_bytes(text));
  EXPECT_EQ(to_string(read_file(path)), text);
  EXPECT_EQ(list_dir(dir_), std::vector<std::string>{"a.bin"});
}

TEST_F(AtomicFileTest, WritesEmptyFile) {
  const fs::path path = dir_ / "empty";
  write_file_atomic(path, {});
  EXPECT_TRUE(read_file(path).empty());
}

TEST_F(AtomicFileTest, OverwriteKeepsNewContent) {
  const fs::path path = dir_ / "a.bin";
  write_file_atomic(path, to_bytes("a much longer old content"));
  write_file_atomic(path, to_bytes("new"));
  EXPECT_EQ(to_string(read_file(path)), "new");
  EXPECT_EQ(list_dir(dir_), std::vector<std::string>{"a.bin"});
}

TEST_F(AtomicFileTest, RelativePathWithoutDirectory) {
  const fs::path old_cwd = fs::current_path();
  fs::current_path(dir_);
  write_file_atomic("plain.bin", to_bytes("x"));
  fs::current_path(old_cwd);
  EXPECT_EQ(to_string(read_file(dir_ / "plain.bin")), "x");
}

TEST_F(AtomicFileTest, LargeContent) {
  std::vector<std::byte> bytes(3'000'001);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::byte>(i * 7);
  write_file_atomic(dir_ / "big", bytes);
  EXPECT_EQ(read_file(dir_ / "big"), bytes);
}

TEST_F(AtomicFileTest, NewFileModeFollowsUmask) {
  // mkstemp would create mode 0600; outputs should get the usual 0666 minus the umask.
  const mode_t old_mask = ::umask(022);
  write_file_atomic(dir_ / "m", to_bytes("x"));
  ::umask(old_mask);
  struct stat info {};
  ASSERT_EQ(::stat((dir_ / "m").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0644u);
}

TEST_F(AtomicFileTest, MissingDirectoryThrowsAndCreatesNothing) {
  const fs::path path = dir_ / "out" / "y.npy";
  EXPECT_EQ(io_error_message([&] { write_file_atomic(path, to_bytes("x")); }),
            "cannot write '" + path.string() + "': directory '" + (dir_ / "out").string() +
                "' does not exist");
  EXPECT_TRUE(list_dir(dir_).empty());
}

TEST_F(AtomicFileTest, ParentIsAFileThrows) {
  std::ofstream(dir_ / "file") << "x";
  const std::string message =
      io_error_message([&] { write_file_atomic(dir_ / "file" / "y", to_bytes("x")); });
  EXPECT_NE(message.find("is not a directory"), std::string::npos) << message;
  EXPECT_EQ(list_dir(dir_), std::vector<std::string>{"file"});
}

TEST_F(AtomicFileTest, DirectoryAsDestinationThrowsAndLeavesNoTemporary) {
  fs::create_directory(dir_ / "sub");
  // The failure comes from rename, after the temporary was written: this exercises the cleanup.
  EXPECT_EQ(io_error_message([&] { write_file_atomic(dir_ / "sub", to_bytes("x")); }),
            "cannot write '" + (dir_ / "sub").string() + "': Is a directory");
  EXPECT_EQ(list_dir(dir_), std::vector<std::string>{"sub"});
  EXPECT_TRUE(fs::is_directory(dir_ / "sub"));
}

TEST_F(AtomicFileTest, PathWithoutFileNameThrows) {
  const std::string message =
      io_error_message([&] { write_file_atomic(dir_.string() + "/", to_bytes("x")); });
  EXPECT_NE(message.find("does not name a file"), std::string::npos) << message;
  EXPECT_TRUE(list_dir(dir_).empty());
}

TEST_F(AtomicFileTest, ReadMissingFileThrows) {
  const fs::path path = dir_ / "x.npy";
  EXPECT_EQ(io_error_message([&] { read_file(path); }),
            "cannot read '" + path.string() + "': No such file or directory");
}

TEST_F(AtomicFileTest, ReadDirectoryThrows) {
  EXPECT_EQ(io_error_message([&] { read_file(dir_); }),
            "cannot read '" + dir_.string() + "': Is a directory");
}

}  // namespace
}  // namespace strider::io
