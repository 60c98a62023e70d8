// strider_conformance: runs the library on TensorFlow conformance cases written by conv2d_tf.py
// and compares with TensorFlow's numbers. Usage: strider_conformance conv2d CASES_DIR
#include <fmt/format.h>

#include <cstdio>
#include <string_view>

#include "conformance_cases.hpp"
#include "strider/core/error.hpp"

int main(int argc, char** argv) {
  if (argc != 3 || std::string_view(argv[1]) != "conv2d") {
    std::fprintf(stderr, "usage: strider_conformance conv2d CASES_DIR\n");
    return 2;
  }
  int passed = 0, failed = 0;
  try {
    for (const auto& dir : strider::conformance::list_cases(argv[2])) {
      try {
        const auto c = strider::conformance::load_conv2d_case(dir);
        const auto r = strider::conformance::check_conv2d_case(c);
        if (r.ok) {
          ++passed;
        } else {
          ++failed;
          fmt::print("FAIL {}\n", r.message);
        }
      } catch (const strider::Error& e) {
        ++failed;
        fmt::print("FAIL {}: {}\n", dir.filename().string(), e.what());
      }
    }
  } catch (const strider::Error& e) {
    std::fprintf(stderr, "strider_conformance: error: %s\n", e.what());
    return 2;
  }
  fmt::print("library conv2d: {} passed, {} failed\n", passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
