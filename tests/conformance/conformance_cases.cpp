#include "conformance_cases.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "strider/core/error.hpp"
#include "strider/core/parse.hpp"
#include "strider/io/npy.hpp"

namespace strider::conformance {
namespace fs = std::filesystem;

std::vector<fs::path> list_cases(const fs::path& root) {
  if (!fs::is_directory(root)) {
    throw IoError(fmt::format("conformance: '{}' is not a directory", root.string()));
  }
  std::vector<fs::path> cases;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.is_directory() && fs::exists(entry.path() / "args.txt")) cases.push_back(entry.path());
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

Conv2DCase load_conv2d_case(const fs::path& dir) {
  Conv2DCase c;
  c.name = dir.filename().string();
  std::ifstream in(dir / "args.txt");
  std::getline(in, c.args);
  std::istringstream tokens(c.args);
  std::string flag, value;
  while (tokens >> flag >> value) {
    if (flag == "--strides") {
      c.options.params.strides = pair_from_list(parse_int_list(value, flag), flag);
    } else if (flag == "--dilation") {
      c.options.params.dilation = pair_from_list(parse_int_list(value, flag), flag);
    } else if (flag == "--padding") {
      c.options.params.padding = Padding2D::parse(value, flag);
    } else if (flag == "--groups") {
      c.options.params.groups = parse_int_list(value, flag).at(0);
    } else if (flag == "--activation") {
      c.options.activation = parse_activation(value, flag);
    } else {
      throw FormatError(fmt::format("{}: unknown flag '{}' in args.txt", c.name, flag));
    }
  }
  c.input = io::read_npy(dir / "input.npy");
  c.filter = io::read_npy(dir / "filter.npy");
  c.expected = io::read_npy(dir / "expected.npy");
  if (fs::exists(dir / "bias.npy")) c.bias = io::read_npy(dir / "bias.npy");
  return c;
}

Comparison check_conv2d_case(const Conv2DCase& c, double rel, double abs) {
  Comparison r;
  const Tensor got = conv2d(c.input, c.filter, c.bias ? &*c.bias : nullptr, c.options);
  if (got.shape() != c.expected.shape()) {
    r.ok = false;
    r.message = fmt::format("{} [{}]: shape {} != TensorFlow's {}", c.name, c.args,
                            format_shape(got.shape()), format_shape(c.expected.shape()));
    return r;
  }
  // S: the same convolution over absolute values, linear, with the reference kernel.
  auto absolute = [](const Tensor& t) {
    Tensor a = t;
    for (float& v : a.values()) v = std::fabs(v);
    return a;
  };
  const Tensor abs_bias = c.bias ? absolute(*c.bias) : Tensor();
  Conv2DOptions sum_options = c.options;
  sum_options.activation = Activation::kLinear;
  sum_options.kernel = "reference";
  const Tensor scale = conv2d(absolute(c.input), absolute(c.filter),
                              c.bias ? &abs_bias : nullptr, sum_options);
  for (std::int64_t i = 0; i < got.size(); ++i) {
    const double g = got.data()[i], w = c.expected.data()[i];
    const double tol = rel * scale.data()[i] + abs;
    const double excess = std::fabs(g - w) - tol;
    if (!(excess <= 0.0) && (r.ok || excess > r.worst_excess)) {
      r.ok = false;
      r.worst_index = i;
      r.worst_excess = excess;
      r.got = g;
      r.want = w;
      r.tolerance = tol;
    }
  }
  if (!r.ok) {
    r.message = fmt::format(
        "{} [input {} filter {} {}]: element {} is {} but TensorFlow gives {} (tolerance {:g})",
        c.name, format_shape(c.input.shape()), format_shape(c.filter.shape()), c.args,
        r.worst_index, r.got, r.want, r.tolerance);
  }
  return r;
}

}  // namespace strider::conformance
