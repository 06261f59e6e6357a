#include <memory>

#include "base/errors.h"
#include "cli/commands.h"
#include "results/summary.h"

namespace wei::cli {

namespace {

struct SummarizeOptions {
  std::vector<std::string> dirs;
  std::vector<std::string> by;
  std::vector<std::string> metrics;
  std::string format = "markdown";
};

}  // namespace

Command add_summarize_command(CLI::App& app) {
  auto options = std::make_shared<SummarizeOptions>();
  auto* sub = app.add_subcommand("summarize", "table of metrics grouped by spec keys: mean ± std, 95% CI, n");
  sub->add_option("dirs", options->dirs, "run directories or sweep roots")->required();
  sub->add_option("--by", options->by, "grouping keys, e.g. spec.method (default: keys that vary)")
      ->delimiter(',');
  sub->add_option("--metrics", options->metrics, "dotted paths, e.g. final.test_error (default: final.*)")
      ->delimiter(',');
  sub->add_option("--format", options->format, "markdown or csv");
  return {sub, [options](const Environment& env, const TrainerRegistry&, const std::vector<std::string>&) {
            if (options->format != "markdown" && options->format != "csv") {
              throw InputError("--format '" + options->format + "' must be markdown or csv");
            }
            const auto runs = collect_runs(options->dirs);
            if (runs.empty()) throw InputError("summarize: no metrics.json found below " + options->dirs.front());
            const Summary summary = summarize(runs, options->by, options->metrics);
            env.out << (options->format == "csv" ? format_csv(summary) : format_markdown(summary));
            return 0;
          }};
}

}  // namespace wei::cli
