#include <iostream>

#include "cli/commands.h"
#include "core/errors.h"
#include "results/summary.h"

namespace wei::cli {

int summarize_command(const SummarizeOptions& options) {
  if (options.format != "markdown" && options.format != "csv") {
    throw InputError("--format '" + options.format + "' must be markdown or csv");
  }
  const auto runs = collect_runs(options.dirs);
  if (runs.empty()) throw InputError("summarize: no metrics.json found below " + options.dirs.front());
  const Summary summary = summarize(runs, options.by, options.metrics);
  std::cout << (options.format == "csv" ? format_csv(summary) : format_markdown(summary));
  return 0;
}

}  // namespace wei::cli
