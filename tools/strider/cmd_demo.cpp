// strider demo: the example every strides tutorial uses, computed and explained. A (1, 10, 10, 3)
// input, Conv2D(32, 3x3, relu), strides (1, 1) and then (2, 2). Every sentence it prints is built
// from numbers that geometry and the layer computed in this run.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "strider/core/error.hpp"
#include "strider/core/parse.hpp"
#include "strider/core/random.hpp"
#include "strider/nn/conv2d_layer.hpp"

namespace strider::cli {
namespace {

struct Run {
  std::int64_t stride = 1;
  nn::Conv2D layer;
  Conv2DGeometry geometry;
  Tensor output;
};

std::string starts_of(const Window& w) {
  std::vector<std::int64_t> starts;
  for (std::int64_t o = 0; o < w.output_size(); ++o) starts.push_back(w.first_input(o));
  return fmt::format("{}", fmt::join(starts, " "));
}

std::string reads_per_position(const Window& w) {
  std::vector<std::int64_t> reads;
  for (std::int64_t i = 0; i < w.input_size(); ++i) reads.push_back(w.reads_of(i));
  return fmt::format("{}", fmt::join(reads, " "));
}

std::int64_t max_reads(const Window& w) {
  std::int64_t best = 0;
  for (std::int64_t i = 0; i < w.input_size(); ++i) best = std::max(best, w.reads_of(i));
  return best;
}

std::string list_positions(const std::vector<std::int64_t>& v) {
  if (v.size() == 1) return fmt::format("{}", v[0]);
  return fmt::format("{} and {}", fmt::join(v.begin(), v.end() - 1, ", "), v.back());
}

std::vector<std::int64_t> unread_positions(const Window& w) {
  std::vector<std::int64_t> out;
  for (std::int64_t i = 0; i < w.input_size(); ++i) {
    if (w.reads_of(i) == 0) out.push_back(i);
  }
  return out;
}

double positive_fraction(const Tensor& t) {
  if (t.empty()) return 0.0;
  std::int64_t positive = 0;
  for (float v : t.values()) positive += v > 0.0f ? 1 : 0;
  return static_cast<double>(positive) / static_cast<double>(t.size());
}

struct DemoCommand {
  std::uint64_t seed = 42;
  std::string padding = "valid";

  void run() const {
    const Shape input_shape{1, 10, 10, 3};
    Tensor input(input_shape);
    Rng rng(seed);
    rng.fill_normal(input.values());

    nn::Conv2DConfig config;
    config.filters = 32;
    config.kernel_size = {3, 3};
    config.activation = Activation::kRelu;
    config.padding = Padding2D::parse(padding, "--padding");
    if (config.padding.kind == PaddingKind::kExplicit) {
      throw InvalidArgument(
          fmt::format("--padding: the demo compares 'valid' and 'same', got '{}'", padding));
    }
    config.seed = seed;

    std::vector<Run> runs;
    for (std::int64_t s : {1, 2}) {
      config.strides = {s, s};
      nn::Conv2D layer(config);
      Tensor output = layer(input);
      const Conv2DParams params{config.strides, config.dilation_rate, config.padding, 1};
      Conv2DGeometry g = Conv2DGeometry::make(input_shape, layer.filter().shape(), params);
      runs.push_back({s, std::move(layer), g, std::move(output)});
    }

    print_table(runs, config);
    print_windows(runs);
    print_explanation(runs, config);
  }

  void print_table(const std::vector<Run>& runs, const nn::Conv2DConfig& config) const {
    fmt::print("Strider demo: one Conv2D layer, two strides\n\n");
    fmt::print("  input  (1, 10, 10, 3), values drawn from N(0, 1) with seed {}\n", seed);
    fmt::print(
        "  layer  Conv2D(filters={}, kernel_size=(3, 3), activation='relu', padding='{}'),\n"
        "         glorot_uniform kernel (seed {}), zero bias\n\n",
        config.filters, config.padding.to_string(), seed);
    auto row = [&](const char* label, auto&& cell) {
      fmt::print("  {:<28}", label);
      std::string line;
      for (const Run& r : runs) line += fmt::format("{:<22}", cell(r));
      line.erase(line.find_last_not_of(' ') + 1);
      fmt::print("{}\n", line);
    };
    row("", [](const Run& r) { return fmt::format("strides ({0}, {0})", r.stride); });
    row("output shape", [](const Run& r) { return format_shape(r.output.shape()); });
    row("parameters", [](const Run& r) { return format_count(r.layer.param_count()); });
    row("MACs", [](const Run& r) { return format_count(r.geometry.macs()); });
    row("window positions", [](const Run& r) {
      return fmt::format("{} ({} x {})", r.geometry.positions(), r.geometry.height.output_size(),
                         r.geometry.width.output_size());
    });
    row("input values per output", [](const Run& r) {
      return fmt::format("{} ({}x{} px x {} ch)",
                         r.geometry.height.kernel_size() * r.geometry.width.kernel_size() *
                             r.geometry.in_channels_per_group(),
                         r.geometry.height.kernel_size(), r.geometry.width.kernel_size(),
                         r.geometry.in_channels_per_group());
    });
    row("pads (top, bottom)", [](const Run& r) {
      return fmt::format("{}, {}", r.geometry.height.pad_before(), r.geometry.height.pad_after());
    });
    row("pixels never read", [](const Run& r) {
      const std::int64_t h = r.geometry.height.input_size(), w = r.geometry.width.input_size();
      const std::int64_t read =
          (h - r.geometry.height.unread_inputs()) * (w - r.geometry.width.unread_inputs());
      return fmt::format("{} of {}", h * w - read, h * w);
    });
    row("windows reading a pixel", [](const Run& r) {
      return fmt::format("at most {}", max_reads(r.geometry.height) * max_reads(r.geometry.width));
    });
    row("outputs > 0 after ReLU",
        [](const Run& r) { return fmt::format("{:.0f}%", 100.0 * positive_fraction(r.output)); });
  }

  void print_windows(const std::vector<Run>& runs) const {
    fmt::print("\n  Along each axis (rows shown; columns are the same):\n");
    for (const Run& r : runs) {
      fmt::print("    stride {}: windows start at rows {}\n", r.stride,
                 starts_of(r.geometry.height));
      fmt::print("              windows reading rows 0..9: {}\n",
                 reads_per_position(r.geometry.height));
    }
  }

  void print_explanation(const std::vector<Run>& runs, const nn::Conv2DConfig& config) const {
    const Run& a = runs[0];
    const Run& b = runs[1];
    const Conv2DGeometry& ga = a.geometry;
    const Conv2DGeometry& gb = b.geometry;
    const double fewer = static_cast<double>(ga.positions()) / static_cast<double>(gb.positions());
    fmt::print("\n  What the numbers say:\n");
    fmt::print(
        "  - Stride {1} moves the filter {1} pixels at a time, so it lands on {2} positions "
        "instead of {3}:\n    {4:.2g}x fewer outputs and {5:.2g}x fewer MACs ({6} vs {7}).\n",
        a.stride, b.stride, gb.positions(), ga.positions(), fewer,
        static_cast<double>(ga.macs()) / static_cast<double>(gb.macs()), format_count(gb.macs()),
        format_count(ga.macs()));
    const Shape f = a.layer.filter().shape();
    if (a.layer.param_count() == b.layer.param_count()) {
      fmt::print(
          "  - Both layers have {} parameters ({}*{}*{}*{} weights + {} biases): strides decide "
          "where the\n    filter lands, not what it is.\n",
          a.layer.param_count(), f[0], f[1], f[2], f[3], config.filters);
    }
    const std::int64_t k = ga.height.kernel_size();
    fmt::print(
        "  - Each output still sees a {}x{} patch of {} channels ({} values); neighbouring "
        "windows now share\n    {} row{} instead of {}.\n",
        k, k, ga.in_channels, k * k * ga.in_channels, std::max<std::int64_t>(0, k - b.stride),
        k - b.stride == 1 ? "" : "s", std::max<std::int64_t>(0, k - a.stride));
    for (const Run* r : {&a, &b}) {
      const std::vector<std::int64_t> unread = unread_positions(r->geometry.height);
      if (unread.empty()) continue;
      const std::int64_t n = r->geometry.height.input_size();
      const std::int64_t read = n - static_cast<std::int64_t>(unread.size());
      const std::int64_t last = r->geometry.height.output_size() - 1;
      const bool one = unread.size() == 1;
      fmt::print(
          "  - With padding '{}' and stride {} the last window starts at row {} and ends at row "
          "{}, so row{} {}\n    (and column{} {}) {} never read: {} of {} pixels cannot influence "
          "the output.\n",
          config.padding.to_string(), r->stride, r->geometry.height.first_input(last),
          r->geometry.height.tap(last, k - 1), one ? "" : "s", list_positions(unread),
          one ? "" : "s", list_positions(unread), one ? "is" : "are", n * n - read * read, n * n);
    }
    for (const Run* r : {&a, &b}) {
      const Window& h = r->geometry.height;
      if (h.padding_kind() != PaddingKind::kSame || h.pad_before() == h.pad_after()) continue;
      fmt::print(
          "  - With padding 'same' and stride {} there are ceil({} / {}) = {} windows per row, "
          "which need {} row{}\n    of zeros: TensorFlow puts {} before and {} after (the odd "
          "one goes to the bottom/right),\n    so the windows start at rows {}.\n",
          r->stride, h.input_size(), h.stride(), h.output_size(), h.pad_before() + h.pad_after(),
          h.pad_before() + h.pad_after() == 1 ? "" : "s", h.pad_before(), h.pad_after(),
          starts_of(h));
    }
    print_subsampling(a, b);
  }

  // Where an output of the stride-s layer and one of the stride-1 layer start their windows at
  // the same input pixel (geometry's first_input), they read the same window: equal values.
  static void print_subsampling(const Run& a, const Run& b) {
    const Window& ha = a.geometry.height;
    const Window& hb = b.geometry.height;
    const std::int64_t f = a.geometry.out_channels;
    const auto same_start = [&](std::int64_t o) -> std::int64_t {
      for (std::int64_t p = 0; p < ha.output_size(); ++p) {
        if (ha.first_input(p) == hb.first_input(o)) return p;
      }
      return -1;
    };
    std::int64_t compared = 0;
    double max_diff = 0.0;
    std::vector<std::int64_t> matched;
    for (std::int64_t y = 0; y < hb.output_size(); ++y) {
      const std::int64_t py = same_start(y);
      if (py < 0) continue;
      matched.push_back(py);
      for (std::int64_t x = 0; x < hb.output_size(); ++x) {
        const std::int64_t px = same_start(x);  // square input and kernel: columns = rows
        if (px < 0) continue;
        for (std::int64_t c = 0; c < f; ++c) {
          max_diff = std::max(max_diff, static_cast<double>(std::fabs(b.output.at(0, y, x, c) -
                                                                      a.output.at(0, py, px, c))));
          ++compared;
        }
      }
    }
    if (compared == 0) return;
    fmt::print(
        "  - Striding is sampling: {} of the {} stride-{} outputs equal the stride-{} outputs at "
        "rows and\n    columns {} (largest difference {:g}): the stride-{} layer computes a "
        "subset of the\n    same dot products.\n",
        compared, b.output.size(), b.stride, a.stride, list_positions(matched), max_diff, b.stride);
  }
};

}  // namespace

void add_demo_command(CLI::App& app) {
  auto state = std::make_shared<DemoCommand>();
  CLI::App* cmd = app.add_subcommand(
      "demo",
      "The strides tutorial example: Conv2D(32, 3x3, relu) on a (1, 10, 10, 3) input "
      "with strides (1, 1) and (2, 2), computed and explained.");
  cmd->add_option("--seed", state->seed, "Seed of the input values and the glorot_uniform kernel")
      ->capture_default_str();
  cmd->add_option("--padding", state->padding, "valid | same")->capture_default_str();
  cmd->callback([state] { state->run(); });
}

}  // namespace strider::cli
