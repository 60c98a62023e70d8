// strider lint MODEL: the stride choices of a model that lose or distort information, each with
// the layer, the numbers and a suggestion; exit 1 when there are errors (or, with --strict,
// warnings).
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "commands.hpp"
#include "model_args.hpp"
#include "strider/analysis/lint.hpp"

namespace strider::cli {
namespace {

// "1 error", "2 warnings".
std::string counted(std::size_t n, const char* noun) {
  return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
}

}  // namespace

void add_lint_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "lint",
      "Explain each stride choice of a model that loses or distorts information: strides larger "
      "than the kernel, VALID padding that drops border rows, asymmetric SAME padding, "
      "checkerboard-prone transposed convolutions, gridding from stacked dilations, a small "
      "receptive field at the classifier, maps that collapse too early. Exit 0 with warnings "
      "only, 1 with errors.");
  auto args = std::make_shared<ModelArgs>();
  add_model_args(*cmd, *args);
  auto strict = std::make_shared<bool>(false);
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--strict", *strict, "Treat warnings as errors (exit 1 when there is any finding)");
  cmd->add_flag("--json", *json,
                "Print one JSON object {\"findings\": [...], \"errors\": n, \"warnings\": n}");
  cmd->callback([args, strict, json] {
    const model::ResolvedModel model = args->resolve();
    std::vector<analysis::Finding> findings = analysis::lint(model);
    std::size_t errors = 0, warnings = 0;
    for (analysis::Finding& f : findings) {
      if (*strict) f.severity = analysis::Severity::kError;
      ++(f.severity == analysis::Severity::kError ? errors : warnings);
    }
    const auto class_name = [&](const std::string& layer) {
      return model::keras_class_name(
          model.architecture.layers[model.architecture.index_of(layer)].kind);
    };
    if (*json) {
      nlohmann::ordered_json list = nlohmann::ordered_json::array();
      for (const analysis::Finding& f : findings) {
        list.push_back({{"severity", analysis::severity_name(f.severity)},
                        {"rule", f.rule},
                        {"layer", f.layer},
                        {"class_name", class_name(f.layer)},
                        {"message", f.message},
                        {"suggestion", f.suggestion}});
      }
      nlohmann::ordered_json j;
      j["model"] = model.architecture.name;
      j["findings"] = std::move(list);
      j["errors"] = errors;
      j["warnings"] = warnings;
      fmt::print("{}\n", j.dump(2));
    } else {
      for (const analysis::Finding& f : findings) {
        fmt::print("{}[{}] layer '{}' ({}): {}\n  -> {}\n\n", analysis::severity_name(f.severity),
                   f.rule, f.layer, class_name(f.layer), f.message, f.suggestion);
      }
      fmt::print("{}: {}, {}\n", model.architecture.name, counted(errors, "error"),
                 counted(warnings, "warning"));
    }
    if (errors > 0) throw ExitStatus{1};
  });
}

}  // namespace strider::cli
