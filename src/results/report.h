#pragma once
// `wei-run report`: one self-contained HTML page about one or more sweep roots (or run
// directories), readable offline: no script, no external stylesheet, font or image. Per root:
//  - the points and their status (failed, diverged and io_error flagged), with links to each run
//    directory's metrics.json and log.txt (relative to the page) and the sweep's console log;
//  - the spec keys that vary, with their values;
//  - the summary table of `summarize` (compact layout, rounded) with the paper's values;
//  - plots drawn by the same gnuplot code as `wei-run plot`, inlined as SVG: the learning curve of
//    the headline metric, and the referenced (else headline) metric against each numeric spec key
//    that varies. A log axis is used where the values are positive and span two decades or more.
#include <string>
#include <vector>

namespace wei {

struct ReportOptions {
  std::vector<std::string> roots;
  std::string out;                   // the HTML file
  std::vector<std::string> by;       // grouping keys (default: the spec keys that vary)
  std::vector<std::string> metrics;  // summary metrics (default: as summarize)
  std::string reference;             // as summarize --reference: "" (each run's spec), "none", or a spec file
  int refresh_seconds = 0;           // > 0: the page reloads itself that often (written by --watch)
};

struct ReportOutcome {
  size_t points = 0;      // points (runs) listed
  size_t unfinished = 0;  // points still pending, running or interrupted
  size_t plots = 0;       // plots inlined
  bool busy = false;      // some root or run directory is locked by a running command
  std::vector<std::string> warnings;  // plots that could not be drawn, and why
};

// The page's HTML; `outcome` says what it holds.
std::string make_report_html(const ReportOptions& options, ReportOutcome& outcome);

// Builds the page and writes it to options.out (durably: a reader never sees half a page).
ReportOutcome write_report(const ReportOptions& options);

}  // namespace wei
