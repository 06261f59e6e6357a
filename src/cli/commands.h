#pragma once
// One function per subcommand; each returns the exit code. Library errors propagate as exceptions
// and are mapped to exit codes in cli.cpp.
#include <optional>
#include <string>
#include <vector>

#include "core/registry.h"

namespace wei::cli {

// Prints every trainer (or the one named) with its parameters, types, defaults, bounds and help.
int list_command(const TrainerRegistry& registry, const std::optional<std::string>& trainer);

struct DiffOptions {
  std::string left;
  std::string right;
  double rtol = 0.0;
  double atol = 0.0;
  bool include_run = false;
};
// Two metrics.json files, or two sweep roots compared point by point.
int diff_command(const DiffOptions& options);

struct SummarizeOptions {
  std::vector<std::string> dirs;
  std::vector<std::string> by;
  std::vector<std::string> metrics;
  std::string format = "markdown";
};
int summarize_command(const SummarizeOptions& options);

}  // namespace wei::cli
