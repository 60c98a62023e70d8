// strider summary MODEL: per-layer output shape, pads, parameters, MACs, activation memory and
// receptive field of a whole model, from geometry alone, as a table or as JSON.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "commands.hpp"
#include "model_args.hpp"
#include "strider/analysis/summary.hpp"
#include "strider/core/parse.hpp"

namespace strider::cli {
namespace {

std::string shape_text(const Shape& s) {
  std::string text = "(";
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(s[i]);
  }
  if (s.size() == 1) text += ',';
  text += ')';
  return text;
}

std::string pads_text(const analysis::LayerSummary& l) {
  if (!l.pads_height) return "";
  return fmt::format("{},{} / {},{}", l.pads_height->before, l.pads_height->after,
                     l.pads_width->before, l.pads_width->after);
}

// "7" for a square figure, "7x5" otherwise.
std::string square_text(std::int64_t h, std::int64_t w) {
  return h == w ? fmt::format("{}", h) : fmt::format("{}x{}", h, w);
}

std::string bytes_text(std::int64_t bytes) {
  if (bytes >= (std::int64_t{1} << 20))
    return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / 1048576.0);
  if (bytes >= 1024) return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / 1024.0);
  return fmt::format("{} B", bytes);
}

nlohmann::ordered_json pair_json(const std::optional<analysis::Field>& f,
                                 std::int64_t analysis::AxisField::*member) {
  if (!f) return nullptr;
  return {f->height.*member, f->width.*member};
}

void print_json(const analysis::ModelSummary& s) {
  nlohmann::ordered_json j;
  j["model"] = s.name;
  j["input_shape"] = s.input_shape;
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (const analysis::LayerSummary& l : s.layers) {
    nlohmann::ordered_json e;
    e["name"] = l.name;
    e["class_name"] = l.class_name;
    if (!l.end_point.empty()) e["end_point"] = l.end_point;
    e["inputs"] = l.inputs;
    e["output_shape"] = l.output_shape;
    if (l.pads_height) {
      e["pads"] = {{"height", {l.pads_height->before, l.pads_height->after}},
                   {"width", {l.pads_width->before, l.pads_width->after}}};
    } else {
      e["pads"] = nullptr;
    }
    e["params"] = l.params;
    e["trainable_params"] = l.trainable_params;
    e["non_trainable_params"] = l.non_trainable_params;
    e["macs"] = l.macs;
    e["activation_bytes"] = l.activation_bytes;
    e["receptive_field"] = pair_json(l.field, &analysis::AxisField::size);
    e["effective_stride"] = pair_json(l.field, &analysis::AxisField::stride);
    e["effective_padding"] = pair_json(l.field, &analysis::AxisField::padding);
    layers.push_back(std::move(e));
  }
  j["layers"] = std::move(layers);
  j["totals"] = {{"params", s.params},
                 {"trainable_params", s.trainable_params},
                 {"non_trainable_params", s.non_trainable_params},
                 {"macs", s.macs},
                 {"activation_bytes", s.activation_bytes},
                 {"peak_activation_bytes", s.peak_activation_bytes}};
  fmt::print("{}\n", j.dump(2));
}

void print_table(const analysis::ModelSummary& s) {
  struct Row {
    std::vector<std::string> cells;
  };
  const std::vector<std::string> header = {"layer",  "type",   "output shape", "pads t,b / l,r",
                                           "params", "MACs",   "memory",       "RF",
                                           "stride", "eff.pad"};
  std::vector<Row> rows;
  bool any_undefined = false;
  for (const analysis::LayerSummary& l : s.layers) {
    std::string name = l.name;
    if (!l.end_point.empty() && l.end_point != l.name) name += " [" + l.end_point + "]";
    std::string rf = "-", stride = "-", pad = "-";
    if (l.field) {
      rf = square_text(l.field->height.size, l.field->width.size);
      stride = square_text(l.field->height.stride, l.field->width.stride);
      pad = square_text(l.field->height.padding, l.field->width.padding);
    } else {
      any_undefined = true;
    }
    rows.push_back(
        {{name, l.class_name, shape_text(l.output_shape), pads_text(l), format_count(l.params),
          format_count(l.macs), bytes_text(l.activation_bytes), rf, stride, pad}});
  }
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
  for (const Row& r : rows) {
    for (std::size_t c = 0; c < header.size(); ++c) {
      width[c] = std::max(width[c], r.cells[c].size());
    }
  }
  const auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      // Names and types left-aligned, numbers right-aligned.
      const bool left = c < 4;
      out += left ? fmt::format("{:<{}}", cells[c], width[c])
                  : fmt::format("{:>{}}", cells[c], width[c]);
      if (c + 1 < cells.size()) out += "  ";
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    fmt::print("{}\n", out);
  };
  fmt::print("Model: {}   input {}   (batch 1, float32)\n\n", s.name, shape_text(s.input_shape));
  line(header);
  std::size_t total_width = 0;
  for (const std::size_t w : width) total_width += w + 2;
  fmt::print("{}\n", std::string(total_width - 2, '-'));
  for (const Row& r : rows) line(r.cells);
  fmt::print("{}\n", std::string(total_width - 2, '-'));
  fmt::print("Total params:          {} (trainable {}, non-trainable {})\n", format_count(s.params),
             format_count(s.trainable_params), format_count(s.non_trainable_params));
  fmt::print("Total MACs:            {} per image ({:.3f} GFLOP)\n", format_count(s.macs),
             2.0 * static_cast<double>(s.macs) / 1e9);
  fmt::print("Activation memory:     {} in all, {} at peak\n", bytes_text(s.activation_bytes),
             bytes_text(s.peak_activation_bytes));
  const analysis::LayerSummary& last = s.layers.back();
  if (last.field) {
    fmt::print("Final receptive field: {} px, effective stride {}, effective padding {}\n",
               square_text(last.field->height.size, last.field->width.size),
               square_text(last.field->height.stride, last.field->width.stride),
               square_text(last.field->height.padding, last.field->width.padding));
  }
  fmt::print(
      "\nRF: receptive field (input pixels one output sees), stride: effective stride "
      "(input pixels between neighbouring outputs), eff.pad: effective padding.\n");
  if (any_undefined) {
    fmt::print(
        "'-': after UpSampling2D or Conv2DTranspose the stride is fractional and the "
        "receptive field is not defined.\n");
  }
}

}  // namespace

void add_summary_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "summary",
      "Per-layer output shape, pads, parameters, MACs, activation memory, receptive field, "
      "effective stride and effective padding of a model, from geometry alone (no weights, "
      "instant for any input size).");
  auto args = std::make_shared<ModelArgs>();
  add_model_args(*cmd, *args);
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "Print one JSON object (a 'layers' list and 'totals') instead");
  cmd->callback([args, json] {
    const analysis::ModelSummary s = analysis::summarize(args->resolve());
    if (*json) {
      print_json(s);
    } else {
      print_table(s);
    }
  });
}

}  // namespace strider::cli
