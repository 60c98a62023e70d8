// strider draw: pictures of a window sliding over its input, from geometry alone. An animation
// (one frame per output position) or, with --coverage, a map of how many windows read each pixel;
// written as SVG (plays in a browser), GIF, or PNG (a strip of every frame).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "conv_args.hpp"
#include "model_args.hpp"
#include "strider/analysis/trace.hpp"
#include "strider/core/error.hpp"
#include "strider/core/parse.hpp"
#include "strider/io/atomic_file.hpp"
#include "strider/viz/render.hpp"
#include "strider/viz/stride_figure.hpp"
#include "strider/viz/trace_figure.hpp"

namespace strider::cli {
namespace {

enum class Format { kSvg, kGif, kPng };

Format format_of(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".svg") return Format::kSvg;
  if (ext == ".gif") return Format::kGif;
  if (ext == ".png") return Format::kPng;
  throw InvalidArgument(
      fmt::format("--out: the file name must end in .svg, .gif or .png, got '{}'", path));
}

// "n" or "h,w", each >= 1.
Pair2D parse_extent(const std::string& text) {
  const std::vector<std::int64_t> values = parse_int_list(text, "--input");
  if (values.empty() || values.size() > 2) {
    throw InvalidArgument(
        fmt::format("--input: expected n or h,w (the input's height and width), got '{}'", text));
  }
  const Pair2D p{values.front(), values.back()};
  if (p.h < 1 || p.w < 1) {
    throw InvalidArgument(fmt::format("--input: every value must be >= 1, got '{}'", text));
  }
  return p;
}

struct DrawCommand {
  CLI::App* command = nullptr;
  std::string op = "conv", input, kernel, out, model, layer, at;
  std::int64_t frame_ms = 700;
  double cell = 0;
  bool coverage = false;
  ConvArgs window;
  TransposeArgs transpose;

  bool given(const char* option) const { return command->count(option) > 0; }

  void refuse_unless(const char* option, bool allowed, const char* which_ops) const {
    if (given(option) && !allowed) {
      throw InvalidArgument(
          fmt::format("{}: not an option of --op {} (only of --op {})", option, op, which_ops));
    }
  }

  viz::StridePicture picture() const {
    if (input.empty() || kernel.empty()) {
      throw InvalidArgument(
          fmt::format("{}: required (with --kernel and --input), unless --model "
                      "is given",
                      input.empty() ? "--input" : "--kernel"));
    }
    const Pair2D in = parse_extent(input);
    const Shape input_shape{1, in.h, in.w, 1};
    const Pair2D k = parse_positive_pair(kernel, "--kernel");
    if (op == "conv") {
      refuse_unless("--output-padding", false, "conv-transpose");
      refuse_unless("--output-shape", false, "conv-transpose");
      return viz::StridePicture::of(
          Conv2DGeometry::make(input_shape, Shape{k.h, k.w, 1, 1}, window.params()));
    }
    if (op == "pool") {
      refuse_unless("--dilation", false, "conv, conv-transpose");
      refuse_unless("--output-padding", false, "conv-transpose");
      refuse_unless("--output-shape", false, "conv-transpose");
      Pool2DParams p;
      p.pool_size = k;
      p.strides = window.strides_pair();
      p.padding = window.padding_rule();
      return viz::StridePicture::of(Pool2DGeometry::make(input_shape, p));
    }
    if (op == "conv-transpose") {
      const Shape filter{k.h, k.w, 1, 1};
      return viz::StridePicture::of(Conv2DTransposeGeometry::make(
          input_shape, filter, transpose.params(window, input_shape, filter)));
    }
    throw InvalidArgument(
        fmt::format("--op: expected one of conv, pool, conv-transpose, got '{}'", op));
  }

  void run() const {
    const Format format = format_of(out);
    if (frame_ms < 20 || frame_ms > 10000) {
      throw InvalidArgument(fmt::format("--frame-ms: must be in [20, 10000], got {}", frame_ms));
    }
    if (given("--cell") && (cell < 4 || cell > 64)) {
      throw InvalidArgument(fmt::format("--cell: must be in [4, 64] pixels, got {}", cell));
    }
    const viz::FigureOptions options{frame_ms, cell};
    if (!model.empty()) return run_model(format, options);
    for (const char* option : {"--layer", "--at"}) {
      if (given(option)) throw InvalidArgument(fmt::format("{}: only with --model", option));
    }
    viz::Figure figure;
    try {
      const viz::StridePicture p = picture();
      figure = coverage ? viz::draw_coverage(p, options) : viz::draw_animation(p, options);
    } catch (const InvalidArgument& e) {
      // The picture's size limits: a smaller --input is the way out.
      const std::string what = e.what();
      if (what.rfind("draw: ", 0) != 0) throw;
      throw InvalidArgument(fmt::format("--input: {}", what));
    }
    write(format, figure.scene, figure.output ? figure.output->cols : 1,
          coverage ? std::string("coverage map")
                   : fmt::format("{} frames, one per output position", figure.scene.frames));
  }

  // --model: the receptive field of one output position, traced back to the input.
  void run_model(Format format, const viz::FigureOptions& options) const {
    for (const char* option : {"--kernel", "--op", "--strides", "--padding", "--dilation",
                               "--output-padding", "--output-shape", "--coverage"}) {
      if (command->get_option_no_throw(option) != nullptr && given(option)) {
        throw InvalidArgument(fmt::format(
            "{}: not an option of --model (the model's layers set their own windows)", option));
      }
    }
    const model::ResolvedModel resolved = ModelArgs{model, input}.resolve();
    const TraceTarget target = parse_trace_target(resolved, layer, at);
    const analysis::Trace trace =
        analysis::trace_position(resolved, target.layer, target.y, target.x);
    const viz::TraceFigure figure = viz::draw_trace(resolved, trace, options);
    // A PNG is the last frame: every layer's region at once.
    write(format, figure.scene, 0,
          fmt::format("receptive field of {} through {} layers",
                      resolved.architecture.layers[target.layer].name, figure.panels.size()));
  }

  // Encodes `scene` as --out's format and replaces --out with it. A PNG holds every frame in
  // rows of `png_columns` tiles, or only the last frame when png_columns is 0.
  void write(Format format, const viz::Scene& scene, std::int64_t png_columns,
             const std::string& what) const {
    std::vector<std::byte> bytes;
    std::int64_t width = static_cast<std::int64_t>(scene.width);
    std::int64_t height = static_cast<std::int64_t>(scene.height);
    switch (format) {
      case Format::kSvg: {
        const std::string svg = viz::to_svg(scene);
        const auto* data = reinterpret_cast<const std::byte*>(svg.data());
        bytes.assign(data, data + svg.size());
        break;
      }
      case Format::kGif:
        bytes = viz::encode_gif(scene);
        break;
      case Format::kPng: {
        viz::Image image;
        try {
          image = png_columns > 0 ? viz::frame_strip(scene, png_columns)
                                  : viz::rasterize(scene, scene.frames - 1);
        } catch (const InvalidArgument& e) {
          throw InvalidArgument(fmt::format("--out: {}", e.what()));
        }
        width = image.width;
        height = image.height;
        bytes = viz::encode_png(image);
        break;
      }
    }
    try {
      io::write_file_atomic(out, bytes);
    } catch (const IoError& e) {
      throw IoError(fmt::format("--out: {}", e.what()));
    }
    fmt::print("wrote {}: {}, {}x{} pixels\n", out, what, width, height);
  }
};

}  // namespace

void add_draw_command(CLI::App& app) {
  auto state = std::make_shared<DrawCommand>();
  CLI::App* cmd = app.add_subcommand(
      "draw",
      "Draw a window sliding over its input, from Strider's geometry.\n"
      "Default: an animation, one frame per output position (row-major): input pixels, padding\n"
      "and (conv-transpose) inserted zeros drawn distinctly, the window's taps and the output\n"
      "cell it writes highlighted. --coverage: how many windows read each input pixel; pixels no\n"
      "window reads (stride > kernel, or the border VALID drops) stand out.\n"
      "--out FILE.svg: plays in a browser (SMIL, no script); .gif: a looping animation;\n"
      ".png: every frame in one image (rows of frames follow the output's rows).\n"
      "--model MODEL --layer NAME --at y,x: the receptive field of one output position traced\n"
      "back through the model's layers to the input, one layer per frame.\n"
      "Example: strider draw --input 7,7 --kernel 3 --strides 2 --padding same --out conv.svg");
  state->command = cmd;
  cmd->add_option("--input", state->input,
                  "Input height and width: n | h,w (with --model: H,W[,C], default the model's)");
  cmd->add_option("--kernel", state->kernel, "Kernel (or pool) size: k | kh,kw");
  cmd->add_option("--op", state->op, "conv | pool | conv-transpose")->capture_default_str();
  state->window.add_to(*cmd, {.groups = false,
                              .padding = "valid | same | T,B,L,R (explicit; not for pool)",
                              .strides_default = "1; pool: the pool size"});
  state->transpose.add_to(*cmd);
  cmd->add_flag("--coverage", state->coverage,
                "Draw how many windows read each input pixel instead of the animation");
  cmd->add_option("--out", state->out, "Where to write: FILE.svg | FILE.gif | FILE.png")
      ->required();
  cmd->add_option("--model", state->model,
                  "Draw the receptive field of one output position through this model instead: "
                  "a built-in name, Keras JSON file, spec file or spec string");
  cmd->add_option("--layer", state->layer, "With --model: the traced layer (default: the last)");
  cmd->add_option("--at", state->at, "With --model: the traced output position y,x");
  cmd->add_option("--frame-ms", state->frame_ms, "Milliseconds per frame, 20..10000")
      ->capture_default_str();
  cmd->add_option("--cell", state->cell, "Pixels per cell, 4..64 (default: from the size)");
  cmd->callback([state] { state->run(); });
}

}  // namespace strider::cli
