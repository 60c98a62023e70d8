// The experiment's variants: the built-in downsampling family as spec text, and --vary's cross
// product applied through the spec grammar's own argument rules.
#include "strider/experiment/variants.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "strider/core/error.hpp"
#include "strider/model/resolve.hpp"
#include "strider/model/spec.hpp"

namespace strider::experiment {
namespace {

struct Widths {
  std::int64_t c1, c2, c3, c4;
};

Widths widths(double width) {
  if (!(width > 0 && width <= 4)) {
    throw InvalidArgument(fmt::format("--width: must be in (0, 4], got {}", width));
  }
  const auto scaled = [&](double n) {
    return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::lround(n * width)));
  };
  return {scaled(32), scaled(32), scaled(64), scaled(96)};
}

// The base: four 3x3 convolutions, each followed by batch normalization and ReLU, then global
// average pooling and the classifier. conv2 and conv4 are the downsampling layers: they take
// `args` (after their filters and kernel), and a pooling item follows each when `pool` is not
// empty. BatchNorm keeps the deep stride-1 variants trainable at one learning rate.
std::string spec_with(double width, const std::string& args, const std::string& pool = "") {
  const Widths w = widths(width);
  const std::string after = pool.empty() ? "" : "; " + pool;
  return fmt::format(
      "input(28,28,1); "
      "conv1: conv({0},3,padding=same,bias=false); bn1: bn; relu1: relu; "
      "conv2: conv({1},3,{4},bias=false); bn2: bn; relu2: relu{5}; "
      "conv3: conv({2},3,padding=same,bias=false); bn3: bn; relu3: relu; "
      "conv4: conv({3},3,{4},bias=false); bn4: bn; relu4: relu{5}; "
      "gap: gap; logits: dense(10)",
      w.c1, w.c2, w.c3, w.c4, args, after);
}

}  // namespace

std::string base_spec(double width) { return spec_with(width, "strides=2,padding=same"); }

std::vector<Variant> builtin_variants(double width) {
  // The base first, then roughly by cost, so that a long run has its first results early.
  struct Entry {
    const char* name;
    const char* description;
    std::string spec;
  };
  const std::vector<Entry> entries = {
      {"stride2", "stride-2 convolutions (all-convolutional)", base_spec(width)},
      {"stride2-valid", "stride 2 with VALID padding instead of SAME",
       spec_with(width, "strides=2,padding=valid")},
      {"stride4", "stride 4 > kernel 3: rows and columns between windows are never read",
       spec_with(width, "strides=4,padding=same")},
      {"maxpool", "stride-1 convolutions, each followed by 2x2 max pooling",
       spec_with(width, "strides=1,padding=same", "maxpool(2)")},
      {"dilation2", "dilation 2 instead of stride: no downsampling, a wider view",
       spec_with(width, "dilation=2,padding=same")},
      {"stride1", "no downsampling: stride 1 everywhere",
       spec_with(width, "strides=1,padding=same")},
  };
  std::vector<Variant> variants;
  for (const Entry& e : entries) {
    variants.push_back({e.name, e.description, model::parse_model_spec(e.spec, e.name)});
  }
  return variants;
}

Vary parse_vary(std::string_view text) {
  const auto fail = [&](std::string_view rule) {
    throw InvalidArgument(fmt::format("--vary: {}, got '{}'", rule, text));
  };
  const std::size_t eq = text.find('=');
  const std::size_t dot = text.substr(0, eq).rfind('.');
  if (eq == std::string_view::npos || dot == std::string_view::npos || dot == 0 || dot + 1 == eq) {
    fail("expected LAYER.KEY=V1,V2,... (e.g. conv2.strides=1,2,3)");
  }
  Vary v{std::string(text.substr(0, dot)), std::string(text.substr(dot + 1, eq - dot - 1)), {}};
  std::string_view rest = text.substr(eq + 1);
  std::set<std::string, std::less<>> seen;
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::string_view value = rest.substr(0, comma);
    if (value.empty()) fail("every value must be non-empty");
    if (!seen.insert(std::string(value)).second) {
      fail(fmt::format("value '{}' is given twice", value));
    }
    v.values.emplace_back(value);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return v;
}

std::vector<Variant> vary_variants(const model::Architecture& base, const std::vector<Vary>& varies,
                                   std::size_t max_variants) {
  if (varies.empty()) throw InvalidArgument("--vary: nothing to vary");
  std::size_t count = 1;
  std::set<std::string, std::less<>> keys;
  for (const Vary& v : varies) {
    const std::string key = v.layer + "." + v.key;
    if (!keys.insert(key).second) {
      throw InvalidArgument(fmt::format("--vary: '{}' is varied twice; give its values once", key));
    }
    try {
      static_cast<void>(base.index_of(v.layer));
    } catch (const InvalidArgument& e) {
      throw InvalidArgument(fmt::format("--vary '{}': {}", key, e.what()));
    }
    count *= v.values.size();
    if (count > max_variants) {
      throw InvalidArgument(
          fmt::format("--vary: the values make more than {} variants; vary fewer settings at once",
                      max_variants));
    }
  }
  std::vector<Variant> variants;
  std::vector<std::size_t> pick(varies.size(), 0);
  for (std::size_t n = 0; n < count; ++n) {
    Variant variant{"", "", base};
    for (std::size_t i = 0; i < varies.size(); ++i) {
      const Vary& v = varies[i];
      const std::string& value = v.values[pick[i]];
      const std::string setting = fmt::format("{}.{}={}", v.layer, v.key, value);
      try {
        model::set_layer_argument(variant.architecture.layers[base.index_of(v.layer)], v.key,
                                  value);
      } catch (const InvalidArgument& e) {
        throw InvalidArgument(fmt::format("--vary '{}': {}", setting, e.what()));
      }
      if (!variant.name.empty()) variant.name += ",";
      variant.name += setting;
    }
    variant.description = variant.name;
    variant.architecture.name = variant.name;
    try {
      static_cast<void>(model::resolve(variant.architecture));
    } catch (const Error& e) {
      throw InvalidArgument(fmt::format("--vary: variant '{}': {}", variant.name, e.what()));
    }
    for (std::size_t i = varies.size(); i-- > 0;) {
      if (++pick[i] < varies[i].values.size()) break;
      pick[i] = 0;
    }
    variants.push_back(std::move(variant));
  }
  return variants;
}

}  // namespace strider::experiment
