#include "conformance_cases.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "strider/core/error.hpp"
#include "strider/core/parse.hpp"
#include "strider/io/npy.hpp"
#include "strider/ops/conv1d.hpp"
#include "strider/ops/conv2d.hpp"
#include "strider/ops/conv2d_transpose.hpp"
#include "strider/ops/depthwise_conv2d.hpp"
#include "strider/ops/pool2d.hpp"

namespace strider::conformance {
namespace fs = std::filesystem;

const Tensor& Case::tensor(const std::string& key) const {
  const auto it = tensors.find(key);
  if (it == tensors.end()) throw FormatError(fmt::format("{}: {}.npy is missing", name, key));
  return it->second;
}

const Tensor* Case::optional_tensor(const std::string& key) const {
  const auto it = tensors.find(key);
  return it == tensors.end() ? nullptr : &it->second;
}

std::optional<std::string> Case::flag(const std::string& key) const {
  const auto it = flags.find(key);
  if (it == flags.end()) return std::nullopt;
  return it->second;
}

bool is_known_op(const std::string& op) {
  for (const char* known :
       {"conv2d", "max_pool", "avg_pool", "conv_transpose", "depthwise", "separable", "conv1d"}) {
    if (op == known) return true;
  }
  return false;
}

std::vector<fs::path> list_cases(const fs::path& root) {
  if (!fs::is_directory(root)) {
    throw IoError(fmt::format("conformance: '{}' is not a directory", root.string()));
  }
  std::vector<fs::path> cases;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.is_directory() && fs::exists(entry.path() / "args.txt"))
      cases.push_back(entry.path());
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

Case load_case(const fs::path& dir) {
  Case c;
  c.name = dir.filename().string();
  std::ifstream in(dir / "args.txt");
  std::getline(in, c.args);
  std::istringstream tokens(c.args);
  std::string flag, value;
  while (tokens >> flag >> value) c.flags[flag] = value;
  for (const char* key : {"input", "filter", "bias", "pointwise", "expected"}) {
    const fs::path file = dir / (std::string(key) + ".npy");
    if (fs::exists(file)) c.tensors.emplace(key, io::read_npy(file));
  }
  return c;
}

namespace {

Pair2D pair_flag(const Case& c, const std::string& key, Pair2D fallback = {1, 1}) {
  const auto v = c.flag(key);
  return v ? pair_from_list(parse_int_list(*v, key), key) : fallback;
}

std::int64_t int_flag(const Case& c, const std::string& key, std::int64_t fallback) {
  const auto v = c.flag(key);
  return v ? parse_int_list(*v, key).at(0) : fallback;
}

Activation activation_flag(const Case& c, bool absolute) {
  return absolute ? Activation::kLinear
                  : parse_activation(c.flag("--activation").value_or("linear"));
}

Padding2D padding_flag(const Case& c) {
  return Padding2D::parse(c.flag("--padding").value_or("valid"), "--padding");
}

}  // namespace

Tensor run_case(const std::string& op, const Case& c, bool absolute) {
  std::map<std::string, Tensor> abs_tensors;
  const auto get = [&](const std::string& key) -> const Tensor* {
    const Tensor* t = c.optional_tensor(key);
    if (t == nullptr || !absolute) return t;
    Tensor a = *t;
    for (float& v : a.values()) v = std::fabs(v);
    return &abs_tensors.insert_or_assign(key, std::move(a)).first->second;
  };
  const auto need = [&](const std::string& key) -> const Tensor& {
    c.tensor(key);  // throws when missing
    return *get(key);
  };
  const Tensor& x = need("input");
  if (op == "conv2d") {
    Conv2DOptions o;
    o.params = {pair_flag(c, "--strides"), pair_flag(c, "--dilation"), padding_flag(c),
                int_flag(c, "--groups", 1)};
    o.activation = activation_flag(c, absolute);
    if (absolute) o.kernel = "reference";
    return conv2d(x, need("filter"), get("bias"), o);
  }
  if (op == "max_pool" || op == "avg_pool") {
    Pool2DOptions o;
    o.params.pool_size = pair_flag(c, "--pool");
    if (c.flag("--strides")) o.params.strides = pair_flag(c, "--strides");
    o.params.padding = padding_flag(c);
    const PoolOp pool = parse_pool_op(c.flag("--op").value_or(op == "max_pool" ? "max" : "avg"));
    return pool2d(pool, x, o);
  }
  if (op == "conv_transpose") {
    Conv2DTransposeOptions o;
    o.params.strides = pair_flag(c, "--strides");
    o.params.dilation = pair_flag(c, "--dilation");
    o.params.padding = padding_flag(c);
    if (c.flag("--output-padding")) o.params.output_padding = pair_flag(c, "--output-padding");
    if (const auto shape = c.flag("--output-shape")) {
      const auto dims = parse_int_list(*shape, "--output-shape");
      if (dims.size() != 4) throw FormatError(c.name + ": --output-shape needs N,H,W,C");
      o.params.output_size = Pair2D{dims[1], dims[2]};
    }
    o.activation = activation_flag(c, absolute);
    return conv2d_transpose(x, need("filter"), get("bias"), o);
  }
  if (op == "depthwise" || op == "separable") {
    DepthwiseConv2DOptions o;
    o.strides = pair_flag(c, "--strides");
    o.dilation = pair_flag(c, "--dilation");
    o.padding = padding_flag(c);
    o.activation = activation_flag(c, absolute);
    if (op == "depthwise") return depthwise_conv2d(x, need("filter"), get("bias"), o);
    return separable_conv2d(x, need("filter"), need("pointwise"), get("bias"), o);
  }
  if (op == "conv1d") {
    Conv1DOptions o;
    o.stride = int_flag(c, "--strides", 1);
    o.dilation = int_flag(c, "--dilation", 1);
    o.padding = parse_padding_1d(c.flag("--padding").value_or("valid"));
    o.groups = int_flag(c, "--groups", 1);
    o.activation = activation_flag(c, absolute);
    return conv1d(x, need("filter"), get("bias"), o);
  }
  throw InvalidArgument(fmt::format("conformance: unknown op '{}'", op));
}

Comparison check_case(const std::string& op, const Case& c, double rel, double abs) {
  Comparison r;
  const Tensor got = run_case(op, c);
  const Tensor& want = c.tensor("expected");
  const auto where = [&] {
    std::string shapes;
    for (const auto& [key, t] : c.tensors)
      shapes += fmt::format(" {} {}", key, format_shape(t.shape()));
    return fmt::format("{} {} [{}]{}", op, c.name, c.args, shapes);
  };
  if (got.shape() != want.shape()) {
    r.ok = false;
    r.message = fmt::format("{}: shape {} != TensorFlow's {}", where(), format_shape(got.shape()),
                            format_shape(want.shape()));
    return r;
  }
  const Tensor scale = run_case(op, c, /*absolute=*/true);
  double worst = 0.0;
  for (std::int64_t i = 0; i < got.size(); ++i) {
    const double g = got.data()[i], w = want.data()[i];
    const double tol = rel * scale.data()[i] + abs;
    const double excess = std::fabs(g - w) - tol;
    if (!(excess <= 0.0) && (r.ok || excess > worst)) {
      r.ok = false;
      worst = excess;
      r.message = fmt::format("{}: element {} is {} but TensorFlow gives {} (tolerance {:g})",
                              where(), i, g, w, tol);
    }
  }
  return r;
}

}  // namespace strider::conformance
