// strider bench conv | depthwise | pool: times one problem with Strider's kernels and reports
// median and minimum milliseconds, GFLOP/s, and the machine's peak FLOP/s measured by the same
// program, so every figure comes with its yardstick.
#include <fmt/format.h>
#include <omp.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.hpp"
#include "conv_args.hpp"
#include "strider/core/error.hpp"
#include "strider/core/machine.hpp"
#include "strider/core/parse.hpp"
#include "strider/core/random.hpp"
#include "strider/core/timing.hpp"
#include "strider/geometry/problem.hpp"
#include "strider/ops/conv2d.hpp"
#include "strider/ops/depthwise_conv2d.hpp"
#include "strider/ops/pool2d.hpp"

namespace strider::cli {
namespace {

struct BenchCommand {
  ProblemOp op = ProblemOp::kConv;
  std::string input, kernel = "3", impl, pool_op = "max";
  std::int64_t filters = 0, multiplier = 1;
  int threads = 0;
  double min_seconds = 0.5;
  bool json = false;
  ConvArgs conv;

  Problem problem() const {
    Problem p;
    p.op = op;
    p.input = parse_int_list(input, "--input");
    if (p.input.size() != 4) {
      throw InvalidArgument(fmt::format("--input: expected N,H,W,C, got '{}'", input));
    }
    p.kernel = pair_from_list(parse_int_list(kernel, "--kernel"), "--kernel");
    p.params = conv.params();
    // Pooling strides default to the pool size, as in Keras and `strider pool`.
    if (op == ProblemOp::kPool && !conv.strides_pair()) p.params.strides = p.kernel;
    if (op == ProblemOp::kConv && filters < 1) {
      throw InvalidArgument(fmt::format("--filters: must be >= 1, got {}", filters));
    }
    p.filters = filters;
    p.multiplier = multiplier;
    p.max_pool = parse_pool_op(pool_op, "--op") == PoolOp::kMax;
    p.output_shape();  // validate through geometry before allocating anything
    return p;
  }

  void run() const {
    if (threads < 0) throw InvalidArgument(fmt::format("--threads: must be >= 0, got {}", threads));
    if (!(min_seconds > 0.0)) {
      throw InvalidArgument(fmt::format("--min-seconds: must be > 0, got {}", min_seconds));
    }
    const Problem p = problem();
    const int t = threads > 0 ? threads : omp_get_max_threads();
    omp_set_num_threads(t);
    Rng rng(1);
    Tensor x(p.input);
    rng.fill_uniform(x.values(), -1, 1);
    std::function<void()> work;
    std::string kernel_used;
    std::unique_ptr<Conv2DPlan> plan;
    Tensor w, b, y;
    if (p.op == ProblemOp::kPool) {
      Pool2DOptions o;
      o.params = {p.kernel, p.params.strides, p.params.padding};
      o.kernel = impl;
      const PoolOp pool = p.max_pool ? PoolOp::kMax : PoolOp::kAvg;
      kernel_used = std::string(pool2d_kernel_name(pool, p.input, o));
      work = [x, o, pool] { pool2d(pool, x, o); };
    } else {
      w = Tensor(p.filter_shape());
      rng.fill_uniform(w.values(), -1, 1);
      if (p.op == ProblemOp::kConv) {
        b = Tensor(Shape{p.filters});
        Conv2DOptions o{p.params, Activation::kLinear, impl};
        plan = std::make_unique<Conv2DPlan>(w, &b, o);
        kernel_used = std::string(plan->kernel_name(p.input));
        // Into one output, as a layer fed batches would: the time is the convolution's.
        y = plan->run(x);
        work = [&] { plan->run(x, y); };
      } else {
        b = Tensor(Shape{p.input[3] * p.multiplier});
        DepthwiseConv2DOptions o{p.params.strides, p.params.dilation, p.params.padding,
                                 Activation::kLinear, impl};
        kernel_used = std::string(depthwise_conv2d_kernel_name(p.input, w.shape(), o));
        work = [&, o] { depthwise_conv2d(x, w, &b, o); };
      }
    }
    const TimingStats stats = time_runs(work, 20, min_seconds);
    const double gflops = p.flops() / (stats.median_ms * 1e6);
    const double peak = measure_peak_gflops(t);
    if (json) {
      nlohmann::ordered_json j;
      j["problem"] = p.to_string();
      j["output_shape"] = p.output_shape();
      j["kernel"] = kernel_used;
      j["isa"] = best_isa();
      j["threads"] = t;
      j["runs"] = stats.runs;
      j["median_ms"] = stats.median_ms;
      j["min_ms"] = stats.min_ms;
      j["gflop"] = p.flops() / 1e9;
      j["gflops"] = gflops;
      j["peak_gflops"] = peak;
      j["percent_of_peak"] = 100.0 * gflops / peak;
      fmt::print("{}\n", j.dump());
      return;
    }
    fmt::print("problem   {}\n", p.to_string());
    fmt::print("output    {}\n", format_shape(p.output_shape()));
    fmt::print("kernel    {} ({}, {} thread{})\n", kernel_used, best_isa(), t, t == 1 ? "" : "s");
    // Four significant digits: the tutorial's layer takes under a microsecond.
    fmt::print("time      median {:.4g} ms, min {:.4g} ms over {} runs\n", stats.median_ms,
               stats.min_ms, stats.runs);
    fmt::print(
        "speed     {:.1f} GFLOP/s ({:.4f} GFLOP per call) = {:.0f}% of the measured peak "
        "{:.1f} GFLOP/s\n",
        gflops, p.flops() / 1e9, 100.0 * gflops / peak, peak);
  }
};

void add_bench_options(CLI::App& cmd, BenchCommand& s) {
  cmd.add_option("--input", s.input, "Input shape N,H,W,C")->required();
  cmd.add_option("--threads", s.threads, "Threads (default: all)")->capture_default_str();
  cmd.add_option("--impl", s.impl, "Force a compute kernel by name (default: the best)");
  cmd.add_option("--min-seconds", s.min_seconds, "Time at least this long (after 20 runs)")
      ->capture_default_str();
  cmd.add_flag("--json", s.json, "Print one JSON object (median_ms, min_ms, gflops, ...)");
  s.conv.add_to(cmd);
}

}  // namespace

void add_bench_command(CLI::App& app) {
  CLI::App* bench = app.add_subcommand(
      "bench", "Time Strider's kernels on one problem: median/min ms, GFLOP/s, % of peak.");
  bench->require_subcommand(1);

  auto conv = std::make_shared<BenchCommand>();
  CLI::App* c = bench->add_subcommand("conv", "Time a Conv2D (2*N*OH*OW*F*KH*KW*C/groups FLOP).");
  add_bench_options(*c, *conv);
  c->add_option("--filters", conv->filters, "Number of filters")->required();
  c->add_option("--kernel", conv->kernel, "Kernel size: k | kh,kw")->capture_default_str();
  c->callback([conv] { conv->run(); });

  auto dw = std::make_shared<BenchCommand>();
  dw->op = ProblemOp::kDepthwise;
  CLI::App* d = bench->add_subcommand("depthwise", "Time a depthwise Conv2D.");
  add_bench_options(*d, *dw);
  d->add_option("--kernel", dw->kernel, "Kernel size: k | kh,kw")->capture_default_str();
  d->add_option("--depth-multiplier", dw->multiplier, "Depth multiplier")->capture_default_str();
  d->callback([dw] { dw->run(); });

  auto pool = std::make_shared<BenchCommand>();
  pool->op = ProblemOp::kPool;
  pool->kernel = "2";
  CLI::App* p = bench->add_subcommand("pool", "Time max or average pooling.");
  add_bench_options(*p, *pool);
  p->add_option("--pool", pool->kernel, "Pool size: p | ph,pw")->capture_default_str();
  p->add_option("--op", pool->pool_op, "max | avg")->capture_default_str();
  p->callback([pool] { pool->run(); });
}

}  // namespace strider::cli
