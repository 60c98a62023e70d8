// Whole-file reads and crash-safe writes on POSIX: temporary in the same directory, fsync, rename.
#include "strider/io/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <random>
#include <string>
#include <system_error>

#include "strider/core/error.hpp"
#include "strider/core/memory.hpp"

namespace strider::io {
namespace {

namespace fs = std::filesystem;

std::string errno_text(int err) { return std::generic_category().message(err); }

[[noreturn]] void throw_write_error(const fs::path& path, const std::string& reason) {
  throw IoError(fmt::format("cannot write '{}': {}", path.string(), reason));
}

[[noreturn]] void throw_read_error(const fs::path& path, int err) {
  throw IoError(fmt::format("cannot read '{}': {}", path.string(), errno_text(err)));
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }

  int get() const { return fd_; }

  // Returns close()'s result: on NFS or under a quota, a failed write may only show up here. The
  // descriptor is released even on failure (retrying close on Linux could close a reused one).
  int close() {
    if (fd_ < 0) return 0;
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

// The temporary file, removed on destruction unless it has been renamed into place.
class TempFile {
 public:
  TempFile(int fd, fs::path path) : fd_(fd), path_(std::move(path)) {}
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (!renamed_) ::unlink(path_.c_str());
  }

  FileDescriptor& fd() { return fd_; }
  const fs::path& path() const { return path_; }
  void mark_renamed() { renamed_ = true; }

 private:
  FileDescriptor fd_;
  fs::path path_;
  bool renamed_ = false;
};

// open(O_CREAT | O_EXCL) with mode 0666 rather than mkstemp: mkstemp creates mode 0600, which the
// rename would carry over to the user's output file, and reading the umask to fix that up is not
// thread-safe. The kernel applies the umask to open's mode for us.
TempFile create_temp(const fs::path& dir, const fs::path& path) {
  static constexpr char kAlphabet[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::random_device random;
  std::uniform_int_distribution<std::size_t> pick(0, sizeof(kAlphabet) - 2);
  for (int attempt = 0; attempt < 100; ++attempt) {
    // Appending rather than "." + string: GCC 12 reports a false -Wrestrict on the latter.
    std::string name(1, '.');
    name += path.filename().string();
    name += ".tmp.";
    for (int i = 0; i < 6; ++i) name += kAlphabet[pick(random)];
    fs::path temp = dir / name;
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) return TempFile(fd, std::move(temp));
    if (errno != EEXIST) throw_write_error(path, errno_text(errno));
  }
  throw_write_error(path, "cannot create a unique temporary file");
}

void write_all(int fd, std::span<const std::byte> bytes, const fs::path& path) {
  const std::byte* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_write_error(path, errno_text(errno));
    if (n == 0) throw_write_error(path, "write made no progress");
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

}  // namespace

void write_file_atomic(const fs::path& path, std::span<const std::byte> bytes) {
  write_file_atomic(path, {bytes});
}

void write_file_atomic(const fs::path& path,
                       std::initializer_list<std::span<const std::byte>> parts) {
  if (path.filename().empty()) throw_write_error(path, "the path does not name a file");
  const fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  std::error_code ec;
  const fs::file_status dir_status = fs::status(dir, ec);
  if (dir_status.type() == fs::file_type::not_found) {
    throw_write_error(path, fmt::format("directory '{}' does not exist", dir.string()));
  }
  if (ec) throw_write_error(path, ec.message());
  if (!fs::is_directory(dir_status)) {
    throw_write_error(path, fmt::format("'{}' is not a directory", dir.string()));
  }

  {
    TempFile temp = create_temp(dir, path);
    for (const std::span<const std::byte> bytes : parts) write_all(temp.fd().get(), bytes, path);
    // Without the fsync, a crash soon after the rename can leave `path` naming an empty file on
    // ext4 and xfs: the rename may reach the disk before the data does.
    if (::fsync(temp.fd().get()) != 0) throw_write_error(path, errno_text(errno));
    if (temp.fd().close() != 0) throw_write_error(path, errno_text(errno));
    // A directory at `path` makes this fail (EISDIR), so that case needs no check of its own.
    if (::rename(temp.path().c_str(), path.c_str()) != 0) {
      throw_write_error(path, errno_text(errno));
    }
    temp.mark_renamed();
  }

  // Makes the rename itself durable. The new contents are already in place, so a failure here
  // (some filesystems refuse fsync on a directory) is not worth failing the write for.
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

std::vector<std::byte> read_file(const fs::path& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw_read_error(path, errno);
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) throw_read_error(path, errno);
  if (S_ISDIR(info.st_mode)) throw_read_error(path, EISDIR);

  // st_size is only a hint: pipes report 0, and a file may grow while we read it. The +1 lets the
  // read that sees end-of-file happen without growing the buffer.
  const std::string what = fmt::format("reading '{}'", path.string());
  std::vector<std::byte> bytes;
  MemoryReservation reserved;
  const auto grow = [&](std::size_t size) {
    reserved = MemoryReservation(static_cast<std::int64_t>(size), what);
    bytes.resize(size);
  };
  grow(S_ISREG(info.st_mode) && info.st_size > 0 ? static_cast<std::size_t>(info.st_size) + 1
                                                 : std::size_t{1} << 16);
  std::size_t used = 0;
  for (;;) {
    if (used == bytes.size()) grow(bytes.size() * 2);
    const ssize_t n = ::read(fd.get(), bytes.data() + used, bytes.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_read_error(path, errno);
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  bytes.resize(used);
  return bytes;
}

}  // namespace strider::io
