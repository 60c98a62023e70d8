// The experiment's report: a directory holding report.md (the table, the Pareto fronts of
// accuracy against MACs and against latency, a recommendation computed from the results, and each
// variant's lint findings), results.csv, and plots in SVG and PNG.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "strider/experiment/experiment.hpp"

namespace strider::experiment {

// The variants on the Pareto front of mean accuracy (higher is better) against `cost` (lower is
// better): those no other variant beats on both, in order of increasing cost.
std::vector<std::size_t> pareto_front(const std::vector<VariantResult>& results,
                                      const std::vector<double>& cost);

struct Recommendation {
  std::size_t best = 0;         // the most accurate variant
  std::size_t recommended = 0;  // the cheapest (MACs) within `tolerance` of the best
  double tolerance = 0;         // max(the best's spread, 0.5 points)
  std::string text;             // one paragraph for the report and the terminal
};
// Throws InvalidArgument for no results.
Recommendation recommend(const std::vector<VariantResult>& results);

// Writes report.md, results.csv and the plots (accuracy-vs-macs, accuracy-vs-latency and
// training-curves, each .svg and .png) into `dir`, every file atomically. `title_lines` head the
// report (settings, data, wall time). Returns the paths written. Throws IoError.
std::vector<std::filesystem::path> write_report(const std::filesystem::path& dir,
                                                const std::vector<VariantResult>& results,
                                                const std::vector<std::string>& title_lines);

}  // namespace strider::experiment
