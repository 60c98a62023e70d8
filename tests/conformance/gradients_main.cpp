// strider_gradient_conformance: runs Strider's backward ops on the gradient cases that
// tests/conformance/gradients_tf.py writes (TensorFlow's tf.GradientTape gradients) and compares.
// Usage: strider_gradient_conformance OP CASES_DIR   (OP: conv2d, depthwise, conv_transpose,
//        max_pool, avg_pool)
// A case directory holds input.npy, filter.npy (convolutions), grad_output.npy, the expected
// expected_grad_input.npy and expected_grad_filter.npy, and args.txt (one line of flags).
// Rule: |strider - tf| <= 1e-4 * S + 1e-6 per element, S the same gradient over |input|,
// |filter| and |grad_output| (the sum of |products| behind it; max pooling keeps the input so
// that its routing stays the same).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "strider/core/error.hpp"
#include "strider/core/parse.hpp"
#include "strider/io/npy.hpp"
#include "strider/ops/backward.hpp"

namespace strider {
namespace {
namespace fs = std::filesystem;

constexpr double kRel = 1e-4;
constexpr double kAbs = 1e-6;

struct Case {
  std::string name, args;
  std::map<std::string, std::string> flags;
  std::map<std::string, Tensor> tensors;

  const Tensor& tensor(const std::string& key) const {
    const auto it = tensors.find(key);
    if (it == tensors.end()) throw FormatError(fmt::format("{}: {}.npy is missing", name, key));
    return it->second;
  }
  std::string flag(const std::string& key, const std::string& fallback) const {
    const auto it = flags.find(key);
    return it == flags.end() ? fallback : it->second;
  }
  Pair2D pair(const std::string& key) const {
    return pair_from_list(parse_int_list(flag(key, "1,1"), key), key);
  }
};

Case load_case(const fs::path& dir) {
  Case c;
  c.name = dir.filename().string();
  std::ifstream in(dir / "args.txt");
  std::getline(in, c.args);
  std::istringstream tokens(c.args);
  std::string flag, value;
  while (tokens >> flag >> value) c.flags[flag] = value;
  for (const char* key :
       {"input", "filter", "grad_output", "expected_grad_input", "expected_grad_filter"}) {
    const fs::path file = dir / (std::string(key) + ".npy");
    if (fs::exists(file)) c.tensors.emplace(key, io::read_npy(file));
  }
  return c;
}

Tensor absolute(Tensor t) {
  for (float& v : t.values()) v = std::fabs(v);
  return t;
}

struct Gradients {
  Tensor input;
  Tensor filter;  // empty for pooling
};

// Strider's gradients for the case; with `scale`, every tensor is replaced by its absolute value
// (pooling's input excepted), which gives S.
Gradients run(const std::string& op, const Case& c, bool scale) {
  const auto get = [&](const char* key) {
    return scale && std::string(key) != "input" ? absolute(c.tensor(key)) : c.tensor(key);
  };
  const Tensor dy = get("grad_output");
  const Padding2D padding = Padding2D::parse(c.flag("--padding", "valid"), "--padding");
  if (op == "max_pool" || op == "avg_pool") {
    Pool2DOptions o;
    o.params.pool_size = c.pair("--pool");
    o.params.strides = c.pair("--strides");
    o.params.padding = padding;
    return {
        pool2d_backward(op == "max_pool" ? PoolOp::kMax : PoolOp::kAvg, c.tensor("input"), dy, o),
        Tensor()};
  }
  const Tensor x = scale ? absolute(c.tensor("input")) : c.tensor("input");
  const Tensor w = get("filter");
  if (op == "conv2d") {
    const Conv2DParams p{c.pair("--strides"), c.pair("--dilation"), padding,
                         parse_int_list(c.flag("--groups", "1"), "--groups").at(0)};
    return {conv2d_backward_input(dy, w, x.shape(), p),
            conv2d_backward_filter(x, dy, w.shape(), p)};
  }
  if (op == "depthwise") {
    DepthwiseConv2DOptions o;
    o.strides = c.pair("--strides");
    o.dilation = c.pair("--dilation");
    o.padding = padding;
    return {depthwise_conv2d_backward_input(dy, w, x.shape(), o),
            depthwise_conv2d_backward_filter(x, dy, w.shape(), o)};
  }
  if (op == "conv_transpose") {
    Conv2DTransposeParams p;
    p.strides = c.pair("--strides");
    p.dilation = c.pair("--dilation");
    p.padding = padding;
    const auto dims = parse_int_list(c.flag("--output-shape", ""), "--output-shape");
    if (dims.size() != 4) throw FormatError(c.name + ": --output-shape needs N,H,W,C");
    p.output_size = Pair2D{dims[1], dims[2]};
    return {conv2d_transpose_backward_input(dy, w, x.shape(), p),
            conv2d_transpose_backward_filter(x, dy, w.shape(), p)};
  }
  throw InvalidArgument(fmt::format("strider_gradient_conformance: unknown op '{}'", op));
}

// The first problem with `got` against TensorFlow's `want`, or "" when it passes.
std::string compare(const char* what, const Tensor& got, const Tensor& want, const Tensor& s) {
  if (got.shape() != want.shape()) {
    return fmt::format("{}: shape {} != TensorFlow's {}", what, format_shape(got.shape()),
                       format_shape(want.shape()));
  }
  std::int64_t bad = 0, worst = -1;
  double worst_excess = 0;
  for (std::int64_t i = 0; i < got.size(); ++i) {
    const double excess = std::fabs(static_cast<double>(got.data()[i]) - want.data()[i]) -
                          (kRel * s.data()[i] + kAbs);
    if (!(excess <= 0)) {
      ++bad;
      if (worst < 0 || excess > worst_excess) {
        worst = i;
        worst_excess = excess;
      }
    }
  }
  if (bad == 0) return {};
  return fmt::format(
      "{}: {}/{} elements out of tolerance; worst element {}: strider {} "
      "TensorFlow {} tolerance {:g}",
      what, bad, got.size(), worst, got.data()[worst], want.data()[worst],
      kRel * s.data()[worst] + kAbs);
}

}  // namespace
}  // namespace strider

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  const std::vector<std::string> ops = {"conv2d", "depthwise", "conv_transpose", "max_pool",
                                        "avg_pool"};
  if (argc != 3 || std::find(ops.begin(), ops.end(), argv[1]) == ops.end()) {
    std::fprintf(stderr,
                 "usage: strider_gradient_conformance OP CASES_DIR\n"
                 "  OP: conv2d, depthwise, conv_transpose, max_pool, avg_pool\n");
    return 2;
  }
  const std::string op = argv[1];
  int passed = 0, failed = 0;
  try {
    std::vector<fs::path> dirs;
    for (const auto& entry : fs::directory_iterator(argv[2])) {
      if (entry.is_directory() && fs::exists(entry.path() / "args.txt")) {
        dirs.push_back(entry.path());
      }
    }
    std::sort(dirs.begin(), dirs.end());
    for (const fs::path& dir : dirs) {
      try {
        const strider::Case c = strider::load_case(dir);
        const auto got = strider::run(op, c, false);
        const auto scale = strider::run(op, c, true);
        std::string problem =
            strider::compare("grad_input", got.input, c.tensor("expected_grad_input"), scale.input);
        if (problem.empty() && op != "max_pool" && op != "avg_pool") {
          problem = strider::compare("grad_filter", got.filter, c.tensor("expected_grad_filter"),
                                     scale.filter);
        }
        if (problem.empty()) {
          ++passed;
        } else {
          ++failed;
          fmt::print("FAIL {} {} [{}]: {}\n", op, c.name, c.args, problem);
        }
      } catch (const strider::Error& e) {
        ++failed;
        fmt::print("FAIL {} {}: {}\n", op, dir.filename().string(), e.what());
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "strider_gradient_conformance: error: %s\n", e.what());
    return 2;
  }
  fmt::print("library {}: {} passed, {} failed\n", op, passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
