#include <memory>

#include "base/errors.h"
#include "cli/commands.h"
#include "results/reference_lookup.h"
#include "results/summary.h"

namespace wei::cli {

namespace {

struct SummarizeOptions {
  std::vector<std::string> dirs;
  std::vector<std::string> by;
  std::vector<std::string> metrics;
  std::string format = "markdown";
  std::string layout = "compact";
  std::string precision = "auto";
  std::string reference;
};

}  // namespace

Command add_summarize_command(CLI::App& app) {
  auto options = std::make_shared<SummarizeOptions>();
  auto* sub = app.add_subcommand("summarize",
                                 "table of metrics grouped by spec keys: mean ± std, 95% CI, n, the paper's value");
  sub->add_option("dirs", options->dirs, "run directories or sweep roots")->required();
  sub->add_option("--by", options->by, "grouping keys, e.g. spec.method (default: keys that vary)")
      ->delimiter(',');
  sub->add_option("--metrics", options->metrics,
                  "dotted paths, e.g. final.test_error (default: the referenced metrics, then final.*)")
      ->delimiter(',');
  sub->add_option("--format", options->format, "markdown or csv");
  sub->add_option("--layout", options->layout,
                  "compact (default: fits 120 columns, mean ± std) or full (one table, [95% CI] and n in each cell)");
  sub->add_option("--precision", options->precision,
                  "auto (default: rounded to what the spread supports) or full (6 significant digits)");
  sub->add_option("--reference", options->reference,
                  "spec file whose reference block applies to every run, or none (default: each run's own spec)");
  return {sub, [options](const Environment& env, const TrainerRegistry&, const std::vector<std::string>&) {
            if (options->format != "markdown" && options->format != "csv") {
              throw InputError("--format '" + options->format + "' must be markdown or csv");
            }
            if (options->layout != "compact" && options->layout != "full") {
              throw InputError("--layout '" + options->layout + "' must be compact or full");
            }
            if (options->precision != "auto" && options->precision != "full") {
              throw InputError("--precision '" + options->precision + "' must be auto or full");
            }
            auto runs = collect_runs(options->dirs);
            if (runs.empty()) throw InputError("summarize: no metrics.json found below " + options->dirs.front());
            attach_references(runs, options->dirs, options->reference);
            const Summary summary = summarize(runs, options->by, options->metrics);
            TableStyle style;
            style.layout = options->layout == "full" ? TableLayout::kFull : TableLayout::kCompact;
            style.precision = options->precision == "full" ? TablePrecision::kFull : TablePrecision::kAuto;
            env.out << (options->format == "csv" ? format_csv(summary) : format_markdown(summary, style));
            return 0;
          }};
}

}  // namespace wei::cli
