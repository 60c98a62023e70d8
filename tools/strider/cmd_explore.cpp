// strider explore: writes one self-contained HTML page where controls change input size, kernel,
// stride, dilation and padding and the picture and numbers follow; every number on it comes from
// geometry tables this command fills.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "commands.hpp"
#include "strider/core/error.hpp"
#include "strider/io/atomic_file.hpp"
#include "strider/viz/explore_page.hpp"

namespace strider::cli {
namespace {

struct ExploreCommand {
  std::string out;
  viz::ExploreRanges ranges;

  void run() const {
    std::string ext = std::filesystem::path(out).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext != ".html" && ext != ".htm") {
      throw InvalidArgument(
          fmt::format("--out: the file name must end in .html or .htm, got '{}'", out));
    }
    const auto check = [](std::int64_t value, std::int64_t most, const char* option) {
      if (value < 1 || value > most) {
        throw InvalidArgument(fmt::format("{}: must be in [1, {}], got {}", option, most, value));
      }
    };
    check(ranges.max_input, 32, "--max-input");
    check(ranges.max_kernel, 9, "--max-kernel");
    check(ranges.max_stride, 8, "--max-stride");
    check(ranges.max_dilation, 4, "--max-dilation");
    const std::string page = viz::explore_page(ranges);
    try {
      io::write_file_atomic(out, std::as_bytes(std::span(page.data(), page.size())));
    } catch (const IoError& e) {
      throw IoError(fmt::format("--out: {}", e.what()));
    }
    fmt::print("wrote {}: {} KB, inputs 1..{}, kernels 1..{}, strides 1..{}, dilations 1..{}\n",
               out, (page.size() + 1023) / 1024, ranges.max_input, ranges.max_kernel,
               ranges.max_stride, ranges.max_dilation);
  }
};

}  // namespace

void add_explore_command(CLI::App& app) {
  auto state = std::make_shared<ExploreCommand>();
  CLI::App* cmd = app.add_subcommand(
      "explore",
      "Write one self-contained HTML page (no network, no other files) to explore strides:\n"
      "controls set input size, kernel, stride and dilation per axis and the padding; the\n"
      "picture, output size, pads, MACs and unread pixels follow at once. The page computes\n"
      "nothing: it looks up tables of Strider's geometry written for every value the controls\n"
      "allow. Example: strider explore --out strides.html");
  cmd->add_option("--out", state->out, "Where to write the page: FILE.html")->required();
  cmd->add_option("--max-input", state->ranges.max_input, "Largest input extent, 1..32")
      ->capture_default_str();
  cmd->add_option("--max-kernel", state->ranges.max_kernel, "Largest kernel extent, 1..9")
      ->capture_default_str();
  cmd->add_option("--max-stride", state->ranges.max_stride, "Largest stride, 1..8")
      ->capture_default_str();
  cmd->add_option("--max-dilation", state->ranges.max_dilation, "Largest dilation, 1..4")
      ->capture_default_str();
  cmd->callback([state] { state->run(); });
}

}  // namespace strider::cli
