// strider: the command-line tool. A thin shell over the library: parse, call, print or write.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <new>
#include <string>
#include <vector>

#include "commands.hpp"
#include "strider/core/error.hpp"
#include "strider/core/memory.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "Strider: TensorFlow-exact convolution in C++, with strides as the first-class idea.",
      "strider"};
  app.require_subcommand(1);
  app.fallthrough(true);  // so that the global --max-memory may also follow the command
  app.set_version_flag("--version", "strider 0.1.0");
  app.add_option_function<std::string>(
         "--max-memory",
         [](const std::string& size) {
           strider::set_memory_limit(strider::parse_memory_size(size, "--max-memory"));
         },
         "Refuse, before allocating, work that needs more memory than SIZE: bytes, or 512M, 4G "
         "(powers of 1024). Default: this machine's memory")
      ->type_name("SIZE")
      ->trigger_on_parse();
  strider::cli::add_demo_command(app);
  strider::cli::add_conv_command(app);
  strider::cli::add_conv_transpose_command(app);
  strider::cli::add_depthwise_command(app);
  strider::cli::add_pool_command(app);
  strider::cli::add_shape_command(app);
  strider::cli::add_bench_command(app);
  strider::cli::add_draw_command(app);
  strider::cli::add_explore_command(app);
  strider::cli::add_summary_command(app);
  strider::cli::add_lint_command(app);
  strider::cli::add_inspect_command(app);
  strider::cli::add_train_command(app);
  strider::cli::add_evaluate_command(app);
  strider::cli::add_predict_command(app);
  strider::cli::add_experiment_command(app);
  try {
    // CLI11 would report a mistyped command as a missing one; name it instead.
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
    if (argc > 1 && argv[1][0] != '-' &&
        std::find(names.begin(), names.end(), argv[1]) == names.end()) {
      std::fprintf(stderr, "strider: error: unknown command '%s'; commands are %s\n", argv[1],
                   fmt::format("{}", fmt::join(names, ", ")).c_str());
      return 2;
    }
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "strider: error: %s (see 'strider --help')\n", e.what());
    return 2;
  } catch (const strider::cli::ExitStatus& e) {
    return e.status;
  } catch (const strider::Error& e) {
    std::fprintf(stderr, "strider: error: %s\n", e.what());
    return 2;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "strider: error: out of memory\n");
    return 2;
  }
  return 0;
}
