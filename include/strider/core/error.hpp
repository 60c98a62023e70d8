// Strider's exception hierarchy. Every error a user can cause is one of these, thrown where the
// input enters (geometry construction, op entry, file readers) with a one-line message that names
// the operation, the argument, the rule and the value: "conv2d: strides[1] must be >= 1, got 0".
#pragma once

#include <stdexcept>
#include <string>

namespace strider {

// Base of every error Strider throws on purpose. Catch this to handle all of them.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// An argument breaks a rule: a stride of 0, an unknown padding name, groups that do not divide.
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

// Shapes that do not fit together: channel mismatch, a window larger than its input, a bias of
// the wrong length, sizes whose product overflows.
class ShapeError : public Error {
 public:
  using Error::Error;
};

// A file that cannot be read or written: missing, unreadable, a missing output directory.
class IoError : public Error {
 public:
  using Error::Error;
};

// A file whose contents are malformed or in a form Strider does not accept (truncated, big-endian,
// Fortran order, object arrays).
class FormatError : public Error {
 public:
  using Error::Error;
};

// A request that needs more memory than the process-wide limit (strider/core/memory.hpp); the
// message names the size, the limit and how to raise it.
class ResourceError : public Error {
 public:
  using Error::Error;
};

}  // namespace strider
