// Reading the TensorFlow conformance cases that tests/conformance/*_tf.py write, and running the
// library on them. One directory per case: input.npy, expected.npy, the op's other tensors
// (filter.npy, bias.npy, pointwise.npy) and args.txt, one line of `strider` CLI flags. Shared by
// the live sweep runner (strider_conformance) and the fixture unit tests.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "strider/core/tensor.hpp"

namespace strider::conformance {

struct Case {
  std::string name;
  std::string args;                          // the args.txt line, for failure messages
  std::map<std::string, std::string> flags;  // "--strides" -> "2,2"
  std::map<std::string, Tensor> tensors;     // "input", "filter", "bias", "pointwise", "expected"

  const Tensor& tensor(const std::string& key) const;
  const Tensor* optional_tensor(const std::string& key) const;
  std::optional<std::string> flag(const std::string& key) const;
};

// The ops a case can hold: conv2d, max_pool, avg_pool, conv_transpose, depthwise, separable,
// conv1d.
bool is_known_op(const std::string& op);

// Every case directory under `root`, sorted by name. Throws strider::Error.
std::vector<std::filesystem::path> list_cases(const std::filesystem::path& root);
Case load_case(const std::filesystem::path& dir);

// Runs the library's `op` on the case. With `absolute`, every tensor is replaced by its absolute
// value and the activation by linear: the result is S, the sum of |terms| behind each output.
Tensor run_case(const std::string& op, const Case& c, bool absolute = false);

struct Comparison {
  bool ok = true;
  std::string message;  // empty when ok
};

// |got - want| <= rel * S + abs at every element, and the shapes equal.
Comparison check_case(const std::string& op, const Case& c, double rel = 1e-5, double abs = 1e-6);

}  // namespace strider::conformance
