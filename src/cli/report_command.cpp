// `wei-run report ROOT... --out FILE.html [--watch [--every S]]`: the HTML page of results/report.h.
// With --watch the page is rewritten every S seconds (and reloads itself in the browser) while
// some point is unfinished and a command still works on a root; then a last time without the
// reload, so the final page is a plain file.
#include <chrono>
#include <memory>
#include <thread>

#include "base/errors.h"
#include "base/exit_codes.h"
#include "base/stop_signals.h"
#include "cli/commands.h"
#include "results/report.h"

namespace wei::cli {

namespace {

struct ReportCommandOptions {
  ReportOptions report;
  bool watch = false;
  int every = 5;
};

void print_report_outcome(std::ostream& err, const ReportOptions& options, const ReportOutcome& outcome) {
  for (const auto& warning : outcome.warnings) err << "warning: " << warning << "\n";
  err << "wrote " << options.out << ": " << outcome.points << " point(s), " << outcome.plots << " plot(s)";
  if (outcome.unfinished) err << ", " << outcome.unfinished << " not finished";
  err << "\n";
}

int watch_report(const Environment& env, ReportOptions options, int every) {
  const ScopedStopHandlers stop_handlers;
  reset_stop_request();
  options.refresh_seconds = every;
  for (;;) {
    const ReportOutcome outcome = write_report(options);
    const bool going_on = outcome.unfinished > 0 && outcome.busy;
    if (!going_on) break;
    env.err << "report: " << outcome.points - outcome.unfinished << "/" << outcome.points
            << " point(s) finished; rewriting every " << every << " s (Ctrl-C stops)\n";
    for (int tenth = 0; tenth < every * 10 && !stop_requested(); ++tenth) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (stop_requested()) break;
  }
  // The last page does not reload itself.
  options.refresh_seconds = 0;
  const ReportOutcome outcome = write_report(options);
  print_report_outcome(env.err, options, outcome);
  const bool interrupted = stop_requested();
  reset_stop_request();
  return interrupted ? kExitInterrupted : kExitOk;
}

}  // namespace

Command add_report_command(CLI::App& app) {
  auto options = std::make_shared<ReportCommandOptions>();
  auto* sub = app.add_subcommand("report",
                                 "one self-contained HTML page of sweep results: summary with the paper's values, "
                                 "plots, point statuses, links");
  sub->add_option("dirs", options->report.roots, "sweep roots or run directories")->required();
  sub->add_option("--out", options->report.out, "the HTML file to write")->required();
  sub->add_option("--by", options->report.by, "grouping keys (default: spec keys that vary)")->delimiter(',');
  sub->add_option("--metrics", options->report.metrics,
                  "summary metrics (default: the referenced metrics, then final.*)")
      ->delimiter(',');
  sub->add_option("--reference", options->report.reference,
                  "spec file whose reference block applies to every run, or none (default: each run's own spec)");
  sub->add_flag("--watch", options->watch,
                "rewrite the page every --every seconds while the sweep runs (the page reloads itself)");
  sub->add_option("--every", options->every, "seconds between rewrites with --watch (default 5)")
      ->check(CLI::Range(1, 3600));
  return {sub, [options](const Environment& env, const TrainerRegistry&, const std::vector<std::string>&) {
            if (options->watch) return watch_report(env, options->report, options->every);
            const ReportOutcome outcome = write_report(options->report);
            print_report_outcome(env.err, options->report, outcome);
            return kExitOk;
          }};
}

}  // namespace wei::cli
