// The strider CLI's subcommands. Each adds itself to the app; main() turns every strider::Error
// into one line "strider: error: ..." and exit status 2.
#pragma once

#include <CLI/CLI.hpp>

namespace strider::cli {

// Thrown by a command that finished its output but must exit with `status` (`strider lint` with
// errors: 1); main() returns it. Bad input stays a strider::Error (exit 2).
struct ExitStatus {
  int status = 1;
};

void add_conv_command(CLI::App& app);
void add_conv_transpose_command(CLI::App& app);
void add_depthwise_command(CLI::App& app);
void add_pool_command(CLI::App& app);
void add_shape_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_demo_command(CLI::App& app);
void add_draw_command(CLI::App& app);
void add_explore_command(CLI::App& app);
void add_summary_command(CLI::App& app);
void add_lint_command(CLI::App& app);
void add_inspect_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_evaluate_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_experiment_command(CLI::App& app);

}  // namespace strider::cli
