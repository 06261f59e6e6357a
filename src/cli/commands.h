#pragma once
// Each subcommand adds itself to the application with its options and returns the action that runs
// it once the command line is parsed. Actions return the exit code; library errors propagate as
// exceptions and become exit codes in cli.cpp.
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/environment.h"
#include "train/registry.h"

namespace wei::cli {

struct Command {
  CLI::App* app;
  // `argv` is the whole command line, recorded by `run` in metrics.json.
  std::function<int(const Environment& env, const TrainerRegistry& registry, const std::vector<std::string>& argv)>
      action;
};

Command add_run_command(CLI::App& app);
Command add_validate_command(CLI::App& app);
Command add_list_command(CLI::App& app);
Command add_diff_command(CLI::App& app);
Command add_sweep_command(CLI::App& app);
Command add_summarize_command(CLI::App& app);
Command add_plot_command(CLI::App& app);
Command add_report_command(CLI::App& app);
Command add_threshold_command(CLI::App& app);

}  // namespace wei::cli
