// Whole-file reads and crash-safe whole-file writes: the byte layer under every Strider file format
// and the CLI's outputs, so that no run leaves a partial file behind.
#pragma once

#include <cstddef>
#include <filesystem>
#include <initializer_list>
#include <span>
#include <vector>

namespace strider::io {

// Replaces `path` with `bytes` atomically: writes a temporary `.<name>.tmp.XXXXXX` in the same
// directory, flushes it to disk (fsync), then renames it over `path`. After a crash or an error,
// `path` holds either its old complete contents (or does not exist) or the new ones, never a
// mix. A new file gets mode 0666 minus the umask, as with fopen.
// Throws IoError, having removed the temporary, when the directory does not exist, `path` is a
// directory, or any system call fails: "cannot write 'out/y.npy': directory 'out' does not exist",
// "cannot write 'd': Is a directory", "cannot write 'x.npy': No space left on device".
void write_file_atomic(const std::filesystem::path& path, std::span<const std::byte> bytes);

// The same, for contents given in parts written one after another (a header, then a tensor's
// data), so that a large output is never copied into one buffer first.
void write_file_atomic(const std::filesystem::path& path,
                       std::initializer_list<std::span<const std::byte>> parts);

// The whole contents of `path`. Throws IoError naming the path and the system's reason:
// "cannot read 'x.npy': No such file or directory", "cannot read 'd': Is a directory", and
// ResourceError (before reading) for a file larger than the memory limit allows.
std::vector<std::byte> read_file(const std::filesystem::path& path);

}  // namespace strider::io
