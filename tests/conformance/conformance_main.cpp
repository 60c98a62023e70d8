// strider_conformance: runs the library on TensorFlow conformance cases written by
// tests/conformance/*_tf.py and compares with TensorFlow's numbers.
// Usage: strider_conformance OP CASES_DIR   (OP: conv2d, max_pool, avg_pool, conv_transpose,
//        depthwise, separable, conv1d)
#include <fmt/format.h>

#include <cstdio>
#include <string>

#include "conformance_cases.hpp"
#include "strider/core/error.hpp"

int main(int argc, char** argv) {
  namespace conformance = strider::conformance;
  if (argc != 3 || !conformance::is_known_op(argv[1])) {
    std::fprintf(
        stderr,
        "usage: strider_conformance OP CASES_DIR\n"
        "  OP: conv2d, max_pool, avg_pool, conv_transpose, depthwise, separable, conv1d\n");
    return 2;
  }
  const std::string op = argv[1];
  int passed = 0, failed = 0;
  try {
    for (const auto& dir : conformance::list_cases(argv[2])) {
      try {
        const auto r = conformance::check_case(op, conformance::load_case(dir));
        if (r.ok) {
          ++passed;
        } else {
          ++failed;
          fmt::print("FAIL {}\n", r.message);
        }
      } catch (const strider::Error& e) {
        ++failed;
        fmt::print("FAIL {} {}: {}\n", op, dir.filename().string(), e.what());
      }
    }
  } catch (const strider::Error& e) {
    std::fprintf(stderr, "strider_conformance: error: %s\n", e.what());
    return 2;
  }
  fmt::print("library {}: {} passed, {} failed\n", op, passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
