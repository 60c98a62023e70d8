// Times every Conv2D backward kernel in the lists that supports a shape (the reference once) on
// the training shapes: the Fashion-MNIST CNN's layers and depthwise layers, batch 64, with 1 and 2
// OpenMP threads; prints the median of the repeats in ms (wall and process CPU), GFLOP/s (2 per
// MAC) and the fastest repeat (wall; the steadiest figure for comparing two builds on a shared
// machine); each input kernel also with a ReLU folded in ("+relu", as training runs it). The
// depthwise layers' fastest forward kernel is timed beside them as a yardstick (same taps, same
// bytes). Figures only, it checks nothing. Usage: strider_conv2d_backward_bench [repeats=9
// [layer-name-part [cold]]]. With `cold`, each run starts after 64 MiB have been written
// elsewhere (not timed), so its tensors come from memory as in a training step, where the rest of
// the network ran in between; without it they stay in cache from the repeat before.
#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "kernels/conv2d_backward/conv2d_backward_kernel.hpp"
#include "kernels/depthwise/depthwise_kernel.hpp"
#include "strider/core/random.hpp"
#include "strider/core/tensor.hpp"

namespace {

using strider::Conv2DGeometry;
using strider::Padding2D;
using strider::Shape;
using strider::Tensor;
namespace kernels = strider::kernels;

struct Layer {
  std::string name;
  Conv2DGeometry geometry;
};

// Median wall-clock and process CPU milliseconds of `repeats` runs. On a shared machine the CPU
// time (every thread's, spinning included) is the steadier figure for one thread.
struct Timing {
  double wall_ms, cpu_ms, min_ms;
};

double cpu_now_ms() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) * 1e-6;
}

// Written before each timed run in cold mode: larger than every cache level together.
std::vector<float> evict;

template <class Run>
Timing median_ms(int repeats, const Run& run) {
  std::vector<double> wall, cpu;
  for (int i = 0; i < repeats; ++i) {
    if (!evict.empty()) {
#pragma omp parallel for schedule(static)
      for (std::size_t j = 0; j < evict.size(); ++j) evict[j] = static_cast<float>(i);
    }
    const double cpu_start = cpu_now_ms();
    const auto start = std::chrono::steady_clock::now();
    run();
    wall.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
    cpu.push_back(cpu_now_ms() - cpu_start);
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  return {wall[wall.size() / 2], cpu[cpu.size() / 2], wall.front()};
}

Tensor random(const Shape& shape, strider::Rng& rng) {
  Tensor t(shape);
  rng.fill_uniform(t.values(), -1, 1);
  return t;
}

void print(const Layer& layer, std::string_view gradient, std::string_view kernel, int threads,
           Timing t) {
  const double gflops = 2.0 * static_cast<double>(layer.geometry.macs()) / (t.wall_ms * 1e6);
  fmt::print(
      "{:<30} {:<7} {:<17} threads {}  {:8.3f} ms  {:6.2f} GFLOP/s  cpu {:8.3f} ms  min {:8.3f} "
      "ms\n",
      layer.name, gradient, kernel, threads, t.wall_ms, gflops, t.cpu_ms, t.min_ms);
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 9;
  const std::string only = argc > 2 ? argv[2] : "";
  if (argc > 3 && std::string(argv[3]) == "cold") evict.resize(std::size_t{16} << 20);
  const strider::Conv2DParams same{{1, 1}, {1, 1}, Padding2D::same(), 1};
  const strider::Conv2DParams same2{{2, 2}, {1, 1}, Padding2D::same(), 1};
  const std::vector<Layer> layers = {
      {"conv 64x28x28x1 -> 32 3x3 s1",
       Conv2DGeometry::make(Shape{64, 28, 28, 1}, Shape{3, 3, 1, 32}, same)},
      {"conv 64x32x32x3 -> 32 3x3 s1",
       Conv2DGeometry::make(Shape{64, 32, 32, 3}, Shape{3, 3, 3, 32}, same)},
      {"conv 64x28x28x32 -> 64 3x3 s2",
       Conv2DGeometry::make(Shape{64, 28, 28, 32}, Shape{3, 3, 32, 64}, same2)},
      {"conv 64x14x14x64 -> 64 3x3 s2",
       Conv2DGeometry::make(Shape{64, 14, 14, 64}, Shape{3, 3, 64, 64}, same2)},
      {"conv 64x28x28x32 -> 64 3x3 s1",
       Conv2DGeometry::make(Shape{64, 28, 28, 32}, Shape{3, 3, 32, 64}, same)},
      // The experiment's conv2 and conv3 at stride 1 (stride1, dilation2, maxpool variants) and
      // conv3 after a stride 2, then its stride-1 variant's last layer (and its dilation-2 form).
      {"conv 64x28x28x32 -> 32 3x3 s1",
       Conv2DGeometry::make(Shape{64, 28, 28, 32}, Shape{3, 3, 32, 32}, same)},
      {"conv 64x14x14x32 -> 64 3x3 s1",
       Conv2DGeometry::make(Shape{64, 14, 14, 32}, Shape{3, 3, 32, 64}, same)},
      {"conv 64x28x28x64 -> 96 3x3 s1",
       Conv2DGeometry::make(Shape{64, 28, 28, 64}, Shape{3, 3, 64, 96}, same)},
      {"conv 64x28x28x64 -> 96 3x3 s1 d2",
       Conv2DGeometry::make(Shape{64, 28, 28, 64}, Shape{3, 3, 64, 96},
                            {{1, 1}, {2, 2}, Padding2D::same(), 1})},
      {"dw 64x56x56x32 3x3 s1 m1",
       Conv2DGeometry::make_depthwise(Shape{64, 56, 56, 32}, Shape{3, 3, 32, 1}, same)},
      {"dw 64x28x28x72 3x3 s2 m1",
       Conv2DGeometry::make_depthwise(Shape{64, 28, 28, 72}, Shape{3, 3, 72, 1}, same2)},
      {"dw 64x28x28x16 3x3 s1 m2",
       Conv2DGeometry::make_depthwise(Shape{64, 28, 28, 16}, Shape{3, 3, 16, 2}, same)},
  };
  strider::Rng rng(1);
  for (const Layer& layer : layers) {
    if (layer.name.find(only) == std::string::npos) continue;
    const Conv2DGeometry& g = layer.geometry;
    const Tensor x = random(g.input_shape(), rng), w = random(g.filter_shape(), rng);
    const Tensor dy = random(g.output_shape(), rng);
    Tensor dx(g.input_shape()), dw(g.filter_shape()), y(g.output_shape());
    Tensor relu_output = random(g.input_shape(), rng);
    for (float& v : relu_output.values()) v = std::max(v, 0.0f);
    std::vector<double> image_sums(static_cast<std::size_t>(g.batch * g.in_channels));
    const kernels::ReluFold fold{relu_output.data(), image_sums.data()};
    for (const int threads : {1, 2}) {
      omp_set_num_threads(threads);
      if (layer.name.starts_with("dw")) {
        const auto& k = kernels::select_depthwise_kernel(g, {});
        print(layer, "forward", k.name, threads, median_ms(repeats, [&] {
                k.run({g, x.data(), w.data(), nullptr, y.data(), strider::Activation::kLinear});
              }));
      }
      for (const auto& k : kernels::conv2d_backward_filter_kernels()) {
        if (!k.supports(g) || (k.name == "reference" && threads > 1)) continue;
        const int n = k.name == "reference" ? 1 : repeats;
        print(layer, "filter", k.name, threads, median_ms(n, [&] {
                k.run({g, x.data(), dy.data(), dw.data()});
              }));
      }
      for (const auto& k : kernels::conv2d_backward_input_kernels()) {
        if (!k.supports(g) || (k.name == "reference" && threads > 1)) continue;
        const int n = k.name == "reference" ? 1 : repeats;
        print(layer, "input", k.name, threads, median_ms(n, [&] {
                k.run({g, dy.data(), w.data(), dx.data()});
              }));
        // With the ReLU of the layer before folded in, as in training.
        if (k.name != "reference") {
          print(layer, "+relu", k.name, threads, median_ms(n, [&] {
                  k.run({g, dy.data(), w.data(), dx.data(), &fold});
                }));
        }
      }
    }
  }
  return 0;
}
