#include "strider/geometry/problem.hpp"

#include <fmt/format.h>

#include <sstream>

#include "strider/core/error.hpp"
#include "strider/core/parse.hpp"
#include "strider/geometry/pool2d_geometry.hpp"

namespace strider {
namespace {

std::int64_t single(std::string_view key, std::string_view value) {
  const auto v = parse_int_list(value, key);
  if (v.size() != 1) {
    throw InvalidArgument(fmt::format("problem: {} expects one integer, got '{}'", key, value));
  }
  return v[0];
}

Pool2DParams pool_params(const Problem& p) {
  Pool2DParams params;
  params.pool_size = p.kernel;
  params.strides = p.params.strides;
  params.padding = p.params.padding;
  return params;
}

}  // namespace

Problem Problem::parse(std::string_view text) {
  Problem p;
  std::istringstream in{std::string(text)};
  std::string token;
  bool has_input = false, has_strides = false;
  while (in >> token) {
    const std::size_t eq = token.find('=');
    if (eq == std::string::npos) {
      throw InvalidArgument(
          fmt::format("problem: expected key=value, got '{}' in '{}'", token, text));
    }
    const std::string key = token.substr(0, eq), value = token.substr(eq + 1);
    if (key == "op") {
      if (value == "conv") {
        p.op = ProblemOp::kConv;
      } else if (value == "depthwise") {
        p.op = ProblemOp::kDepthwise;
      } else if (value == "pool") {
        p.op = ProblemOp::kPool;
      } else {
        throw InvalidArgument(
            fmt::format("problem: op must be conv, depthwise or pool, got '{}'", value));
      }
    } else if (key == "input") {
      p.input = parse_int_list(value, "problem: input");
      if (p.input.size() != 4) {
        throw InvalidArgument(fmt::format("problem: input must be N,H,W,C, got '{}'", value));
      }
      has_input = true;
    } else if (key == "filters") {
      p.filters = single(key, value);
    } else if (key == "multiplier") {
      p.multiplier = single(key, value);
    } else if (key == "kernel") {
      p.kernel = pair_from_list(parse_int_list(value, "problem: kernel"), "problem: kernel");
    } else if (key == "strides") {
      p.params.strides =
          pair_from_list(parse_int_list(value, "problem: strides"), "problem: strides");
      has_strides = true;
    } else if (key == "dilation") {
      p.params.dilation =
          pair_from_list(parse_int_list(value, "problem: dilation"), "problem: dilation");
    } else if (key == "padding") {
      p.params.padding = Padding2D::parse(value, "problem: padding");
    } else if (key == "groups") {
      p.params.groups = single(key, value);
    } else if (key == "pool") {
      if (value != "max" && value != "avg") {
        throw InvalidArgument(fmt::format("problem: pool must be max or avg, got '{}'", value));
      }
      p.max_pool = value == "max";
    } else {
      throw InvalidArgument(fmt::format("problem: unknown key '{}' in '{}'", key, text));
    }
  }
  if (!has_input)
    throw InvalidArgument(fmt::format("problem: input=N,H,W,C is missing in '{}'", text));
  if (p.op == ProblemOp::kPool && !has_strides) p.params.strides = p.kernel;  // as in Keras
  p.output_shape();  // validates the whole problem through geometry
  return p;
}

std::string Problem::to_string() const {
  const char* op_name = op == ProblemOp::kConv        ? "conv"
                        : op == ProblemOp::kDepthwise ? "depthwise"
                                                      : "pool";
  std::string s = fmt::format("op={} input={}", op_name, fmt::join(input, ","));
  if (op == ProblemOp::kConv) s += fmt::format(" filters={}", filters);
  if (op == ProblemOp::kDepthwise) s += fmt::format(" multiplier={}", multiplier);
  if (op == ProblemOp::kPool) s += max_pool ? " pool=max" : " pool=avg";
  s += fmt::format(" kernel={},{} strides={},{} padding={}", kernel.h, kernel.w, params.strides.h,
                   params.strides.w, params.padding.to_string());
  if (params.dilation != Pair2D{1, 1}) {
    s += fmt::format(" dilation={},{}", params.dilation.h, params.dilation.w);
  }
  if (params.groups != 1) s += fmt::format(" groups={}", params.groups);
  return s;
}

Shape Problem::filter_shape() const {
  if (op == ProblemOp::kDepthwise) return {kernel.h, kernel.w, input.at(3), multiplier};
  if (params.groups < 1 || input.at(3) % params.groups != 0) {
    throw ShapeError(fmt::format("problem: groups ({}) must divide the input channels ({})",
                                 params.groups, input.at(3)));
  }
  return {kernel.h, kernel.w, input.at(3) / params.groups, filters};
}

Shape Problem::output_shape() const {
  switch (op) {
    case ProblemOp::kConv:
      return Conv2DGeometry::make(input, filter_shape(), params).output_shape();
    case ProblemOp::kDepthwise:
      return Conv2DGeometry::make_depthwise(input, filter_shape(), params).output_shape();
    case ProblemOp::kPool:
      return Pool2DGeometry::make(input, pool_params(*this)).output_shape();
  }
  return {};
}

double Problem::flops() const {
  switch (op) {
    case ProblemOp::kConv:
      return 2.0 * static_cast<double>(Conv2DGeometry::make(input, filter_shape(), params).macs());
    case ProblemOp::kDepthwise:
      return 2.0 * static_cast<double>(
                       Conv2DGeometry::make_depthwise(input, filter_shape(), params).macs());
    case ProblemOp::kPool:
      return static_cast<double>(Pool2DGeometry::make(input, pool_params(*this)).ops());
  }
  return 0.0;
}

std::vector<Problem> parse_problem_list(std::string_view text) {
  std::vector<Problem> problems;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    problems.push_back(Problem::parse(line));
  }
  return problems;
}

}  // namespace strider
