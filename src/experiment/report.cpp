// The experiment's report files: the markdown report, the CSV of every number in it, and plots.
#include "strider/experiment/report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "strider/core/error.hpp"
#include "strider/io/atomic_file.hpp"
#include "strider/viz/chart.hpp"
#include "strider/viz/render.hpp"

namespace strider::experiment {
namespace {

std::string si(double v) {
  const double a = std::fabs(v);
  if (a >= 1e9) return fmt::format("{:.3g}G", v / 1e9);
  if (a >= 1e6) return fmt::format("{:.3g}M", v / 1e6);
  if (a >= 1e3) return fmt::format("{:.3g}k", v / 1e3);
  return fmt::format("{:.3g}", v);
}

std::string percent(double fraction) { return fmt::format("{:.2f}", 100 * fraction); }

std::string shape_text(const Shape& s) { return fmt::format("{}", fmt::join(s, "x")); }

void write_text(const std::filesystem::path& path, const std::string& text) {
  io::write_file_atomic(path, std::as_bytes(std::span(text.data(), text.size())));
}

std::vector<double> macs_of(const std::vector<VariantResult>& results) {
  std::vector<double> v;
  for (const VariantResult& r : results) v.push_back(static_cast<double>(r.facts.macs));
  return v;
}

std::vector<double> latency_of(const std::vector<VariantResult>& results) {
  std::vector<double> v;
  for (const VariantResult& r : results) v.push_back(r.facts.latency_ms_batch1);
  return v;
}

bool has_latency(const std::vector<VariantResult>& results) {
  return std::all_of(results.begin(), results.end(),
                     [](const VariantResult& r) { return r.facts.latency_ms_batch1 > 0; });
}

// Why parameter counts differ between variants, or that they do not.
std::string params_paragraph(const std::vector<VariantResult>& results) {
  std::set<std::int64_t> totals;
  for (const VariantResult& r : results) totals.insert(r.facts.params);
  if (totals.size() == 1) {
    return fmt::format(
        "Every variant has the same {} parameters. Strides and padding change the size of the "
        "feature maps, not of any filter, and the head ends in global average pooling, so no "
        "weight depends on the map size.",
        *totals.begin());
  }
  // The layers whose counts differ between variants, by name.
  std::map<std::string, std::set<std::int64_t>> by_layer;
  for (const VariantResult& r : results) {
    for (const LayerFacts& l : r.facts.layers) by_layer[l.name].insert(l.params);
  }
  std::vector<std::string> differing;
  for (const auto& [name, counts] : by_layer) {
    if (counts.size() > 1) differing.push_back("`" + name + "`");
  }
  return fmt::format(
      "Parameter counts differ ({} to {}). The layers whose counts change are {}: a Dense layer "
      "after Flatten has one weight per position of the final map, so a stride that shrinks the "
      "map shrinks that layer; a changed kernel size changes its convolution's filter.",
      *totals.begin(), *totals.rbegin(), fmt::join(differing, ", "));
}

std::string markdown(const std::vector<VariantResult>& results,
                     const std::vector<std::string>& title_lines) {
  std::string md = "# Stride experiment\n\n";
  for (const std::string& line : title_lines) md += line + "\n";
  md += "\n## Results\n\n";
  md +=
      "| variant | test accuracy % (mean ± sd) | params | MACs | last conv output | receptive "
      "field | effective stride | peak activations | latency ms/image (batch 1 / 64) | "
      "train s/epoch (median) |\n|---|---|---|---|---|---|---|---|---|---|\n";
  for (const VariantResult& r : results) {
    const VariantFacts& f = r.facts;
    Shape last_conv_shape;
    for (const LayerFacts& l : f.layers) {
      if (l.name == f.last_conv) last_conv_shape = l.output_shape;
    }
    md += fmt::format(
        "| {} | {} ± {} | {} | {} | {} | {}x{} | {}x{} | {} KiB | {:.3f} / {:.3f} | {:.1f} |\n",
        r.variant.name, percent(r.mean_accuracy()), percent(r.accuracy_spread()), f.params,
        si(static_cast<double>(f.macs)), shape_text(last_conv_shape), f.receptive_field[0],
        f.receptive_field[1], f.effective_stride[0], f.effective_stride[1],
        (f.peak_activation_bytes + 1023) / 1024, f.latency_ms_batch1, f.latency_ms_batch64,
        r.median_seconds_per_epoch());
  }
  md += "\nThe variants:\n\n";
  for (const VariantResult& r : results) {
    md += fmt::format("- `{}`: {}\n", r.variant.name, r.variant.description);
  }
  const Recommendation rec = recommend(results);
  md += "\n## Recommendation\n\n" + rec.text + "\n";
  for (const auto& [title, cost, unit] :
       {std::tuple{"MACs", macs_of(results), "MACs"},
        std::tuple{"latency", latency_of(results), "ms/image at batch 1"}}) {
    md += fmt::format("\n## Pareto front: accuracy against {}\n\n", title);
    if (!has_latency(results) && title == std::string("latency")) {
      md += "Latency was not measured (--no-latency).\n";
      continue;
    }
    md += fmt::format(
        "No other variant is both more accurate and cheaper in {} than these, cheapest first:\n\n",
        unit);
    for (const std::size_t i : pareto_front(results, cost)) {
      md += fmt::format(
          "- `{}`: {} %, {} {}\n", results[i].variant.name, percent(results[i].mean_accuracy()),
          title == std::string("MACs") ? si(cost[i]) : fmt::format("{:.3f}", cost[i]), unit);
    }
  }
  md += "\n## Parameters\n\n" + params_paragraph(results) + "\n";
  md += "\n## Output shapes per layer\n\n";
  for (const VariantResult& r : results) {
    std::vector<std::string> steps;
    for (const LayerFacts& l : r.facts.layers) {
      steps.push_back(fmt::format("{} {}", l.name, shape_text(l.output_shape)));
    }
    md += fmt::format("- `{}`: {}\n", r.variant.name, fmt::join(steps, " → "));
  }
  md += "\n## Lint\n\n";
  for (const VariantResult& r : results) {
    md += fmt::format("- `{}`: {}\n", r.variant.name,
                      r.facts.lint.empty() ? std::string("no findings") : "");
    for (const std::string& line : r.facts.lint) md += "  - " + line + "\n";
  }
  md += "\n## Plots\n\n![Accuracy against MACs](accuracy-vs-macs.svg)\n\n";
  if (has_latency(results)) md += "![Accuracy against latency](accuracy-vs-latency.svg)\n\n";
  md +=
      "![Training curves](training-curves.svg)\n\nEach plot is also a PNG of the same name. "
      "Every run's numbers: results.csv.\n";
  return md;
}

std::string csv(const std::vector<VariantResult>& results) {
  std::string out =
      "variant,seed,test_accuracy,test_loss,seconds_per_epoch,params,macs,peak_activation_bytes,"
      "receptive_field_h,receptive_field_w,effective_stride_h,effective_stride_w,"
      "latency_ms_batch1,latency_ms_batch64,lint_findings\n";
  for (const VariantResult& r : results) {
    const VariantFacts& f = r.facts;
    for (const Run& run : r.runs) {
      out += fmt::format("\"{}\",{},{:.6f},{:.6f},{:.3f},{},{},{},{},{},{},{},{:.4f},{:.4f},{}\n",
                         r.variant.name, run.seed, run.test_accuracy, run.test_loss,
                         run.seconds_per_epoch, f.params, f.macs, f.peak_activation_bytes,
                         f.receptive_field[0], f.receptive_field[1], f.effective_stride[0],
                         f.effective_stride[1], f.latency_ms_batch1, f.latency_ms_batch64,
                         f.lint.size());
    }
  }
  return out;
}

// Accuracy (%) against a cost, one point per variant with its spread, the Pareto front drawn.
viz::Chart accuracy_chart(const std::vector<VariantResult>& results,
                          const std::vector<double>& cost, const std::string& title,
                          const std::string& x_label) {
  viz::Chart chart;
  chart.title = title;
  chart.x_label = x_label;
  chart.y_label = "test accuracy (%)";
  chart.log_x = true;
  viz::Series points;
  points.name = "variants (mean, bars +/- sd over seeds)";
  for (std::size_t i = 0; i < results.size(); ++i) {
    points.x.push_back(std::max(cost[i], 1e-9));
    points.y.push_back(100 * results[i].mean_accuracy());
    points.y_error.push_back(100 * results[i].accuracy_spread());
    points.labels.push_back(results[i].variant.name);
  }
  viz::Series front;
  front.name = "Pareto front";
  front.lines = true;
  front.markers = false;
  front.dashed = true;
  for (const std::size_t i : pareto_front(results, cost)) {
    front.x.push_back(std::max(cost[i], 1e-9));
    front.y.push_back(100 * results[i].mean_accuracy());
  }
  chart.series = {points, front};
  return chart;
}

viz::Chart curves_chart(const std::vector<VariantResult>& results) {
  viz::Chart chart;
  chart.title = "Test accuracy after each epoch (mean over seeds)";
  chart.x_label = "epoch";
  chart.y_label = "test accuracy (%)";
  for (const VariantResult& r : results) {
    viz::Series s;
    s.name = r.variant.name;
    s.lines = true;
    if (r.runs.empty()) continue;
    const std::size_t epochs = r.runs.front().history.size();
    for (std::size_t e = 0; e < epochs; ++e) {
      double sum = 0;
      std::size_t n = 0;
      for (const Run& run : r.runs) {
        if (e < run.history.size() && run.history[e].test_accuracy) {
          sum += *run.history[e].test_accuracy;
          ++n;
        }
      }
      if (n == 0) continue;
      s.x.push_back(static_cast<double>(e + 1));
      s.y.push_back(100 * sum / static_cast<double>(n));
    }
    chart.series.push_back(std::move(s));
  }
  return chart;
}

}  // namespace

std::vector<std::size_t> pareto_front(const std::vector<VariantResult>& results,
                                      const std::vector<double>& cost) {
  std::vector<std::size_t> order(results.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (cost[a] != cost[b]) return cost[a] < cost[b];
    return results[a].mean_accuracy() > results[b].mean_accuracy();
  });
  std::vector<std::size_t> front;
  double best = -1;
  for (const std::size_t i : order) {
    if (results[i].mean_accuracy() > best) {
      front.push_back(i);
      best = results[i].mean_accuracy();
    }
  }
  return front;
}

Recommendation recommend(const std::vector<VariantResult>& results) {
  if (results.empty()) throw InvalidArgument("experiment: no results to recommend from");
  Recommendation r;
  for (std::size_t i = 1; i < results.size(); ++i) {
    if (results[i].mean_accuracy() > results[r.best].mean_accuracy()) r.best = i;
  }
  const VariantResult& best = results[r.best];
  r.tolerance = std::max(best.accuracy_spread(), 0.005);
  r.recommended = r.best;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const VariantResult& v = results[i];
    if (v.mean_accuracy() < best.mean_accuracy() - r.tolerance) continue;
    const VariantResult& cur = results[r.recommended];
    if (v.facts.macs < cur.facts.macs ||
        (v.facts.macs == cur.facts.macs &&
         v.facts.latency_ms_batch1 < cur.facts.latency_ms_batch1)) {
      r.recommended = i;
    }
  }
  const VariantResult& rec = results[r.recommended];
  if (r.recommended == r.best) {
    r.text = fmt::format(
        "Use `{}`: it is the most accurate ({} % ± {}), and no variant within {} points of it "
        "costs fewer MACs ({}).",
        rec.variant.name, percent(rec.mean_accuracy()), percent(rec.accuracy_spread()),
        percent(r.tolerance), si(static_cast<double>(rec.facts.macs)));
  } else {
    r.text = fmt::format(
        "Use `{}`: {} % ± {} with {} MACs, within {} points (the spread over seeds, at least "
        "0.5) of the most accurate variant, `{}` ({} % ± {}), at {:.2g}x fewer MACs and {:.2g}x "
        "its batch-1 latency.",
        rec.variant.name, percent(rec.mean_accuracy()), percent(rec.accuracy_spread()),
        si(static_cast<double>(rec.facts.macs)), percent(r.tolerance), best.variant.name,
        percent(best.mean_accuracy()), percent(best.accuracy_spread()),
        static_cast<double>(best.facts.macs) /
            static_cast<double>(std::max<std::int64_t>(1, rec.facts.macs)),
        best.facts.latency_ms_batch1 > 0
            ? rec.facts.latency_ms_batch1 / best.facts.latency_ms_batch1
            : 1.0);
  }
  return r;
}

std::vector<std::filesystem::path> write_report(const std::filesystem::path& dir,
                                                const std::vector<VariantResult>& results,
                                                const std::vector<std::string>& title_lines) {
  std::filesystem::create_directories(dir);
  std::vector<std::filesystem::path> written;
  const auto text = [&](const char* name, const std::string& contents) {
    write_text(dir / name, contents);
    written.push_back(dir / name);
  };
  const auto plot = [&](const char* stem, const viz::Chart& chart) {
    const viz::Scene scene = viz::draw_chart(chart);
    text((std::string(stem) + ".svg").c_str(), viz::to_svg(scene));
    const std::vector<std::byte> png = viz::encode_png(viz::rasterize(scene, 0));
    const std::filesystem::path path = dir / (std::string(stem) + ".png");
    io::write_file_atomic(path, png);
    written.push_back(path);
  };
  text("report.md", markdown(results, title_lines));
  text("results.csv", csv(results));
  plot("accuracy-vs-macs",
       accuracy_chart(results, macs_of(results), "Accuracy against cost", "MACs per image"));
  if (has_latency(results)) {
    viz::Chart latency = accuracy_chart(results, latency_of(results), "Accuracy against latency",
                                        "latency per image at batch 1");
    latency.x_format = [](double ms) { return viz::format_tick(ms) + " ms"; };
    plot("accuracy-vs-latency", latency);
  } else {
    // A latency plot of an earlier run would no longer match this report.
    std::error_code ec;
    for (const char* stale : {"accuracy-vs-latency.svg", "accuracy-vs-latency.png"}) {
      std::filesystem::remove(dir / stale, ec);
    }
  }
  plot("training-curves", curves_chart(results));
  return written;
}

}  // namespace strider::experiment
