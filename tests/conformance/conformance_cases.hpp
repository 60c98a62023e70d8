// Reading the TensorFlow conformance cases that tests/conformance/conv2d_tf.py writes: one
// directory per case with input.npy, filter.npy, optional bias.npy, expected.npy and args.txt
// (one line of `strider conv` flags). Shared by the live sweep runner and the fixture unit test.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "strider/core/tensor.hpp"
#include "strider/ops/conv2d.hpp"

namespace strider::conformance {

struct Conv2DCase {
  std::string name;
  std::string args;  // the args.txt line, for failure messages
  Conv2DOptions options;
  Tensor input, filter, expected;
  std::optional<Tensor> bias;
};

// Every case directory under `root`, sorted by name. Throws strider::Error on a malformed case.
std::vector<std::filesystem::path> list_cases(const std::filesystem::path& root);
Conv2DCase load_conv2d_case(const std::filesystem::path& dir);

struct Comparison {
  bool ok = true;
  std::int64_t worst_index = -1;
  double worst_excess = 0.0;  // |got - want| - tolerance at the worst element
  double got = 0.0, want = 0.0, tolerance = 0.0;
  std::string message;  // empty when ok
};

// Runs the library's conv2d on the case and compares with TensorFlow's numbers:
// |got - want| <= rel * S + abs at every element, S = sum of |products| (+ |bias|) there.
Comparison check_conv2d_case(const Conv2DCase& c, double rel = 1e-5, double abs = 1e-6);

}  // namespace strider::conformance
