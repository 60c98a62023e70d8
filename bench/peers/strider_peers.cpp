// strider_peers: Strider beside oneDNN and XNNPACK on the shapes of bench/shapes.txt. All three
// get the same input, filter and bias, are checked against Strider's reference and are timed
// interleaved within each shape; it prints one table per thread count and, with --json, a file.
#include <fmt/format.h>
#include <omp.h>
#include <pthreadpool.h>
#include <xnnpack.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <dnnl.hpp>
#include <iterator>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "strider/core/error.hpp"
#include "strider/core/machine.hpp"
#include "strider/core/parse.hpp"
#include "strider/core/random.hpp"
#include "strider/core/tensor.hpp"
#include "strider/core/timing.hpp"
#include "strider/geometry/problem.hpp"
#include "strider/io/atomic_file.hpp"
#include "strider/ops/conv2d.hpp"
#include "strider/ops/depthwise_conv2d.hpp"

namespace {

using strider::Conv2DGeometry;
using strider::Problem;
using strider::ProblemOp;
using strider::Shape;
using strider::Tensor;
using strider::TimingStats;

constexpr double kTolerance = 1e-4;  // of sum |products|, as Strider's kernel tests
constexpr int kRounds = 5;           // timing rounds per shape; the peers take turns in each

// One problem with its data: every implementation gets these same tensors.
struct Case {
  Problem problem;
  Conv2DGeometry geometry;
  Tensor input;     // NHWC
  Tensor filter;    // HWIO [kh, kw, C / groups, F]; depthwise [kh, kw, C, M]
  Tensor bias;      // [F]
  Tensor expected;  // Strider's reference kernel
  Tensor scale;     // the reference on absolute values: sum |products| for every output
};

// Strider's conv2d or depthwise_conv2d, as the problem says, with the kernel named `kernel`.
Tensor strider_op(const Problem& p, const Tensor& input, const Tensor& filter, const Tensor& bias,
                  std::string_view kernel) {
  if (p.op == ProblemOp::kConv) {
    return strider::conv2d(input, filter, &bias, {p.params, strider::Activation::kLinear, kernel});
  }
  return strider::depthwise_conv2d(input, filter, &bias,
                                   {p.params.strides, p.params.dilation, p.params.padding,
                                    strider::Activation::kLinear, kernel});
}

Tensor absolute(Tensor t) {
  for (float& v : t.values()) v = std::fabs(v);
  return t;
}

Case make_case(const Problem& p, std::uint64_t seed) {
  const Shape filter_shape = p.filter_shape();
  const Conv2DGeometry g = p.op == ProblemOp::kConv
                               ? Conv2DGeometry::make(p.input, filter_shape, p.params)
                               : Conv2DGeometry::make_depthwise(p.input, filter_shape, p.params);
  Case c{p, g, Tensor(p.input), Tensor(filter_shape), Tensor(Shape{g.out_channels}), {}, {}};
  strider::Rng rng(seed);
  rng.fill_uniform(c.input.values(), -1, 1);
  rng.fill_uniform(c.filter.values(), -1, 1);
  rng.fill_uniform(c.bias.values(), -1, 1);
  c.expected = strider_op(p, c.input, c.filter, c.bias, "reference");
  c.scale = strider_op(p, absolute(c.input), absolute(c.filter), absolute(c.bias), "reference");
  return c;
}

// The largest |output - expected| / sum |products| over all outputs (infinity on a size mismatch).
double relative_error(std::span<const float> output, const Case& c) {
  if (output.size() != static_cast<std::size_t>(c.expected.size())) {
    return std::numeric_limits<double>::infinity();
  }
  double worst = 0.0;
  for (std::size_t i = 0; i < output.size(); ++i) {
    const double error = std::fabs(double{output[i]} - double{c.expected.values()[i]});
    worst = std::max(worst, error / (c.scale.values()[i] + std::numeric_limits<float>::min()));
  }
  return worst;
}

// One implementation set up for one case and thread count: run() computes output().
class Peer {
 public:
  virtual ~Peer() = default;
  virtual void run() = 0;
  virtual std::span<const float> output() const = 0;
  // What the implementation chose to run, for the JSON.
  virtual std::string detail() const = 0;
};

// Strider through its public API, writing into an output allocated once, as oneDNN and XNNPACK
// are timed. Conv2D: a Conv2DPlan (filter packed and set-up kept once). Depthwise:
// depthwise_conv2d into the output (its kernels read the filter as it is).
class StriderPeer final : public Peer {
 public:
  explicit StriderPeer(const Case& c)
      : case_(c), output_(Tensor::uninitialized(c.geometry.output_shape())) {
    if (c.problem.op == ProblemOp::kConv) {
      strider::Conv2DOptions options;
      options.params = c.problem.params;
      plan_.emplace(c.filter, &c.bias, options);
    }
  }
  void run() override {
    if (plan_) {
      plan_->run(case_.input, output_);
    } else {
      strider::depthwise_conv2d(case_.input, case_.filter, &case_.bias, output_,
                                {case_.problem.params.strides, case_.problem.params.dilation,
                                 case_.problem.params.padding, strider::Activation::kLinear, ""});
    }
  }
  std::span<const float> output() const override { return output_.values(); }
  std::string detail() const override {
    return plan_ ? std::string(plan_->kernel_name(case_.input.shape())) : "depthwise_conv2d";
  }

 private:
  const Case& case_;
  std::optional<strider::Conv2DPlan> plan_;
  Tensor output_;
};

// oneDNN as a user would call it: NHWC activations in place, the filter reordered once into the
// layout the primitive prefers (format_tag::any), TF's SAME amounts as explicit padding. Debian
// builds oneDNN on OpenMP, so omp_set_num_threads sets its threads; primitive creation reads that
// count, which is why a peer is made per thread count.
class OnednnPeer final : public Peer {
 public:
  explicit OnednnPeer(const Case& c) : output_(c.geometry.output_shape()) {
    using dnnl::memory;
    const Conv2DGeometry& g = c.geometry;
    const memory::data_type f32 = memory::data_type::f32;
    const memory::desc src({g.batch, g.in_channels, g.height.input_size(), g.width.input_size()},
                           f32, memory::format_tag::nhwc);
    const memory::desc dst({g.batch, g.out_channels, g.height.output_size(), g.width.output_size()},
                           f32, memory::format_tag::nhwc);
    const memory::desc bias({g.out_channels}, f32, memory::format_tag::x);
    // HWIO [kh, kw, C / G, F] described by pitches over oneDNN's logical order ([g,] o, i, h, w);
    // for depthwise [kh, kw, C, M] is the same memory with G = C.
    const std::int64_t cg = g.in_channels_per_group(), f = g.out_channels;
    const std::int64_t kw = g.width.kernel_size();
    memory::dims dims{g.out_channels_per_group(), cg, g.height.kernel_size(), kw};
    memory::dims pitches{1, f, kw * cg * f, cg * f};
    if (g.groups > 1) {
      dims.insert(dims.begin(), g.groups);
      pitches.insert(pitches.begin(), g.out_channels_per_group());
    }
    const dnnl::convolution_forward::desc desc(
        dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_auto, src,
        memory::desc(dims, f32, memory::format_tag::any), bias, dst,
        {g.height.stride(), g.width.stride()},
        {g.height.dilation() - 1, g.width.dilation() - 1},  // oneDNN counts dilation from 0
        {g.height.pad_before(), g.width.pad_before()}, {g.height.pad_after(), g.width.pad_after()});
    const dnnl::convolution_forward::primitive_desc pd(desc, engine_);
    impl_ = pd.impl_info_str();
    conv_ = dnnl::convolution_forward(pd);
    // oneDNN takes non-const handles but only reads sources, filters and biases.
    memory user_filter(memory::desc(dims, f32, pitches), engine_,
                       const_cast<float*>(c.filter.data()));
    memory filter(pd.weights_desc(), engine_);
    dnnl::reorder(user_filter, filter).execute(stream_, user_filter, filter);
    stream_.wait();
    args_ = {{DNNL_ARG_SRC, memory(src, engine_, const_cast<float*>(c.input.data()))},
             {DNNL_ARG_WEIGHTS, filter},
             {DNNL_ARG_BIAS, memory(bias, engine_, const_cast<float*>(c.bias.data()))},
             {DNNL_ARG_DST, memory(dst, engine_, output_.data())}};
  }
  void run() override {
    conv_.execute(stream_, args_);
    stream_.wait();
  }
  std::span<const float> output() const override { return output_.values(); }
  std::string detail() const override { return impl_; }

 private:
  dnnl::engine engine_{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream_{engine_};
  Tensor output_;
  dnnl::convolution_forward conv_;
  std::unordered_map<int, dnnl::memory> args_;
  std::string impl_;
};

void check_xnn(xnn_status status, const char* call) {
  if (status != xnn_status_success) {
    throw std::runtime_error(
        fmt::format("{} failed with status {}", call, static_cast<int>(status)));
  }
}

// HWIO [kh, kw, Cg, F] -> OHWI [F, kh, kw, Cg], XNNPACK's filter layout (grouped or not).
Tensor hwio_to_ohwi(const Tensor& hwio) {
  const std::int64_t kh = hwio.dim(0), kw = hwio.dim(1), cg = hwio.dim(2), f = hwio.dim(3);
  Tensor ohwi(Shape{f, kh, kw, cg});
  for (std::int64_t h = 0; h < kh; ++h) {
    for (std::int64_t w = 0; w < kw; ++w) {
      for (std::int64_t i = 0; i < cg; ++i) {
        for (std::int64_t o = 0; o < f; ++o) ohwi.at(o, h, w, i) = hwio.at(h, w, i, o);
      }
    }
  }
  return ohwi;
}

// XNNPACK's operator API: the filter converted once to its layout (packed again by XNNPACK at
// creation), TF's SAME amounts as explicit padding, its own pthreadpool (none for 1 thread: it
// then runs on the caller). Depthwise uses XNNPACK's [1, kh, kw, C * M] layout, which is
// Strider's [kh, kw, C, M] unchanged.
class XnnpackPeer final : public Peer {
 public:
  XnnpackPeer(const Case& c, int threads)
      : output_(c.geometry.output_shape()),
        pool_(threads > 1 ? pthreadpool_create(static_cast<std::size_t>(threads)) : nullptr,
              &pthreadpool_destroy) {
    const Conv2DGeometry& g = c.geometry;
    const bool depthwise = c.problem.op == ProblemOp::kDepthwise;
    const Tensor filter = depthwise ? c.filter : hwio_to_ohwi(c.filter);
    const auto u32 = [](std::int64_t v) { return static_cast<std::uint32_t>(v); };
    const auto size = [](std::int64_t v) { return static_cast<std::size_t>(v); };
    xnn_operator_t op = nullptr;
    // Pads in XNNPACK's order: top, right, bottom, left.
    check_xnn(xnn_create_convolution2d_nhwc_f32(
                  u32(g.height.pad_before()), u32(g.width.pad_after()), u32(g.height.pad_after()),
                  u32(g.width.pad_before()), u32(g.height.kernel_size()),
                  u32(g.width.kernel_size()), u32(g.height.stride()), u32(g.width.stride()),
                  u32(g.height.dilation()), u32(g.width.dilation()), u32(g.groups),
                  size(g.in_channels_per_group()), size(g.out_channels_per_group()),
                  size(g.in_channels), size(g.out_channels), filter.data(), c.bias.data(),
                  -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity(),
                  depthwise ? XNN_FLAG_DEPTHWISE_CONVOLUTION : 0, &op),
              "xnn_create_convolution2d_nhwc_f32");
    op_.reset(op);
    check_xnn(xnn_setup_convolution2d_nhwc_f32(op, size(g.batch), size(g.height.input_size()),
                                               size(g.width.input_size()), c.input.data(),
                                               output_.data(), pool_.get()),
              "xnn_setup_convolution2d_nhwc_f32");
  }
  void run() override { check_xnn(xnn_run_operator(op_.get(), pool_.get()), "xnn_run_operator"); }
  std::span<const float> output() const override { return output_.values(); }
  std::string detail() const override { return "convolution2d_nhwc_f32"; }

 private:
  Tensor output_;
  std::unique_ptr<pthreadpool, decltype(&pthreadpool_destroy)> pool_;
  std::unique_ptr<xnn_operator, decltype(&xnn_delete_operator)> op_{nullptr, &xnn_delete_operator};
};

constexpr const char* kPeerNames[] = {"Strider", "oneDNN", "XNNPACK"};
constexpr std::size_t kPeers = std::size(kPeerNames);

std::unique_ptr<Peer> make_peer(std::size_t index, const Case& c, int threads) {
  switch (index) {
    case 0:
      return std::make_unique<StriderPeer>(c);
    case 1:
      return std::make_unique<OnednnPeer>(c);
    default:
      return std::make_unique<XnnpackPeer>(c, threads);
  }
}

// What one implementation did on one case: a time unless it failed to set up or disagreed.
struct Result {
  std::string detail;
  std::string failure;  // empty, or "mismatch: ..." / "failed: ...": why there is no time
  double error = 0.0;   // relative_error of its output
  TimingStats time;
  bool timed() const { return failure.empty(); }
};

// Sets up every peer, checks its output, then times the peers in kRounds rounds, each peer for
// min_seconds / kRounds per round after a 20 ms pause, in an order that rotates every round so that
// a burst of noise or a clock change lands on all of them rather than on whichever ran then. The
// time is the median of the round medians and the minimum of the round minima.
std::vector<Result> measure(const Case& c, int threads, double min_seconds) {
  std::vector<std::unique_ptr<Peer>> peers(kPeers);
  std::vector<Result> results(kPeers);
  for (std::size_t i = 0; i < kPeers; ++i) {
    try {
      peers[i] = make_peer(i, c, threads);
      peers[i]->run();
      results[i].detail = peers[i]->detail();
      results[i].error = relative_error(peers[i]->output(), c);
      if (!(results[i].error <= kTolerance)) {
        results[i].failure = fmt::format("mismatch: max |error| / sum |products| = {:.3g} > {:g}",
                                         results[i].error, kTolerance);
      }
    } catch (const std::exception& e) {
      results[i].failure = fmt::format("failed: {}", e.what());
    }
    if (!results[i].timed()) {
      fmt::print("{} on '{}' with {} thread{}: {}\n", kPeerNames[i], c.problem.to_string(), threads,
                 threads == 1 ? "" : "s", results[i].failure);
      peers[i].reset();
    }
  }
  std::vector<std::vector<TimingStats>> rounds(kPeers);
  for (std::size_t r = 0; r < kRounds; ++r) {
    for (std::size_t k = 0; k < kPeers; ++k) {
      const std::size_t i = (r + k) % kPeers;
      if (Peer* peer = peers[i].get()) {
        // A pause first: the last peer's idle threads spin for a while after its calls
        // (XNNPACK's pool took a tenth of the samples in one run), and on two cores a spinning
        // thread halves the next peer's second thread.
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        rounds[i].push_back(strider::time_runs([peer] { peer->run(); }, 5, min_seconds / kRounds));
      }
    }
  }
  for (std::size_t i = 0; i < kPeers; ++i) {
    if (rounds[i].empty()) continue;
    std::vector<double> medians;
    TimingStats& t = results[i].time;
    t.min_ms = std::numeric_limits<double>::infinity();
    for (const TimingStats& s : rounds[i]) {
      medians.push_back(s.median_ms);
      t.min_ms = std::min(t.min_ms, s.min_ms);
      t.runs += s.runs;
    }
    std::nth_element(medians.begin(), medians.begin() + medians.size() / 2, medians.end());
    t.median_ms = medians[medians.size() / 2];
  }
  return results;
}

// "conv 1x56x56x128 to 128, 3x3 s2 same": the table's short name of a problem.
std::string label(const Problem& p) {
  const auto pair = [](strider::Pair2D v) {
    return v.h == v.w ? fmt::format("{}", v.h) : fmt::format("{},{}", v.h, v.w);
  };
  std::string s = p.op == ProblemOp::kConv
                      ? fmt::format("conv {} to {},", fmt::join(p.input, "x"), p.filters)
                      : fmt::format("depthwise {} x{},", fmt::join(p.input, "x"), p.multiplier);
  s += fmt::format(" {}x{} s{} {}", p.kernel.h, p.kernel.w, pair(p.params.strides),
                   p.params.padding.to_string());
  if (p.params.dilation != strider::Pair2D{1, 1}) s += " d" + pair(p.params.dilation);
  if (p.params.groups != 1) s += fmt::format(" g{}", p.params.groups);
  return s;
}

// Times every case with `threads` threads, prints the table and returns its JSON. The peak is
// measured before and after the cases and the higher taken: on a shared host a neighbour's burst
// during one measurement made the "peak" half of what the FMA pipes give (160 GFLOP/s for 2
// threads, and shapes at 150% of it). The table is printed once the peak is known; a line per
// case on stderr shows progress.
nlohmann::ordered_json run_thread_count(const std::vector<Case>& cases, int threads,
                                        double min_seconds) {
  omp_set_num_threads(threads);  // Strider and oneDNN; XNNPACK gets its own pool
  const double peak_before = strider::measure_peak_gflops(threads);
  struct Row {
    const Case* c;
    std::vector<Result> results;
  };
  std::vector<Row> rows;
  for (const Case& c : cases) {
    fmt::print(stderr, "strider_peers: {} thread{}, {}/{}: {}\n", threads, threads == 1 ? "" : "s",
               rows.size() + 1, cases.size(), label(c.problem));
    rows.push_back({&c, measure(c, threads, min_seconds)});
  }
  const double peak = std::max(peak_before, strider::measure_peak_gflops(threads));
  fmt::print("\nStrider vs oneDNN vs XNNPACK, {} thread{}, {} (measured peak {:.1f} GFLOP/s)\n",
             threads, threads == 1 ? "" : "s", strider::best_isa(), peak);
  fmt::print("{:<44} {:>8} {:>11} {:>11} {:>11} {:>7} {:>12}\n", "shape", "GFLOP", "Strider ms",
             "oneDNN ms", "XNNPACK ms", "% peak", "peer/Strider");
  nlohmann::ordered_json shapes = nlohmann::ordered_json::array();
  double log_sum = 0.0;
  int ratios = 0;
  for (const auto& [c, results] : rows) {
    const double gflop = c->problem.flops() / 1e9;
    nlohmann::ordered_json shape{{"problem", c->problem.to_string()}, {"gflop", gflop}};
    std::string times;
    double best_peer = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < kPeers; ++i) {
      const Result& r = results[i];
      times += r.timed() ? fmt::format(" {:>11.4g}", r.time.median_ms)
                         : fmt::format(" {:>11}", r.failure.substr(0, r.failure.find(':')));
      if (i > 0 && r.timed()) best_peer = std::min(best_peer, r.time.median_ms);
      shape[kPeerNames[i]] = {{"median_ms", r.timed() ? nlohmann::json(r.time.median_ms) : nullptr},
                              {"min_ms", r.timed() ? nlohmann::json(r.time.min_ms) : nullptr},
                              {"runs", r.time.runs},
                              {"max_relative_error", r.error},
                              {"failure", r.failure},
                              {"detail", r.detail}};
    }
    const Result& ours = results[0];
    std::string percent = "-", ratio = "-";
    if (ours.timed()) {
      const double pct = 100.0 * gflop / (ours.time.median_ms * 1e-3) / peak;
      percent = fmt::format("{:.0f}%", pct);
      shape["strider_percent_of_peak"] = pct;
      if (std::isfinite(best_peer)) {
        const double x = best_peer / ours.time.median_ms;
        ratio = fmt::format("{:.2f}", x);
        shape["best_peer_over_strider"] = x;
        log_sum += std::log(x);
        ++ratios;
      }
    }
    fmt::print("{:<44} {:>8.4f}{} {:>7} {:>12}\n", label(c->problem), gflop, times, percent, ratio);
    shapes.push_back(shape);
  }
  std::fflush(stdout);
  const double geomean = ratios ? std::exp(log_sum / ratios) : std::nan("");
  fmt::print(
      "geometric mean of best-peer time / Strider time: {:.2f} over {} shapes "
      "(> 1: Strider faster)\n",
      geomean, ratios);
  return {{"threads", threads},
          {"peak_gflops", peak},
          {"peak_gflops_before", peak_before},
          {"shapes", shapes},
          {"geomean_best_peer_over_strider", ratios ? nlohmann::json(geomean) : nullptr}};
}

void run(const std::string& shapes_path, const std::string& threads_text, double min_seconds,
         const std::string& json_path) {
  if (!(min_seconds > 0.0)) {
    throw strider::InvalidArgument(fmt::format("--min-seconds: must be > 0, got {}", min_seconds));
  }
  std::vector<int> thread_counts;
  for (const std::int64_t t : strider::parse_int_list(threads_text, "--threads")) {
    if (t < 1 || t > 1024) {
      throw strider::InvalidArgument(fmt::format("--threads: each must be 1..1024, got {}", t));
    }
    thread_counts.push_back(static_cast<int>(t));
  }
  const std::vector<std::byte> bytes = strider::io::read_file(shapes_path);
  std::vector<Case> cases;
  std::uint64_t seed = 1;
  for (const Problem& p : strider::parse_problem_list(
           std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()))) {
    if (p.op == ProblemOp::kPool) {
      fmt::print("skipping '{}': oneDNN and XNNPACK are compared on convolutions only\n",
                 p.to_string());
      continue;
    }
    cases.push_back(make_case(p, seed++));
  }
  check_xnn(xnn_initialize(nullptr), "xnn_initialize");
  const dnnl_version_t* v = dnnl_version();
  fmt::print("oneDNN {}.{}.{} (CPU runtime {}), XNNPACK from Debian's libxnnpack\n", v->major,
             v->minor, v->patch, v->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP" : "other");
  nlohmann::ordered_json runs = nlohmann::ordered_json::array();
  for (const int t : thread_counts) runs.push_back(run_thread_count(cases, t, min_seconds));
  if (!json_path.empty()) {
    const nlohmann::ordered_json j{
        {"shapes_file", shapes_path},
        {"isa", strider::best_isa()},
        {"onednn", fmt::format("{}.{}.{}", v->major, v->minor, v->patch)},
        {"tolerance", kTolerance},
        {"min_seconds", min_seconds},
        {"runs", runs}};
    const std::string text = j.dump(2) + "\n";
    strider::io::write_file_atomic(json_path, std::as_bytes(std::span(text)));
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Strider beside oneDNN and XNNPACK: same data, checked outputs, median times.",
               "strider_peers"};
  std::string shapes_path = "bench/shapes.txt", threads = "1,2", json_path;
  double min_seconds = 0.5;
  app.add_option("--shapes", shapes_path, "Shape list (Strider's problem format)")
      ->capture_default_str();
  app.add_option("--threads", threads, "Thread counts, comma-separated")->capture_default_str();
  app.add_option("--min-seconds", min_seconds, "Seconds each implementation is timed per shape")
      ->capture_default_str();
  app.add_option("--json", json_path, "Also write every figure to this JSON file");
  CLI11_PARSE(app, argc, argv);
  try {
    run(shapes_path, threads, min_seconds, json_path);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "strider_peers: error: %s\n", e.what());
    return 2;
  }
  return 0;
}
