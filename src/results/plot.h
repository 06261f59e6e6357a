#pragma once
// Plots of results with gnuplot (Debian's gnuplot-nox), written as PNG and SVG:
//  - learning curves: a history key (e.g. test_error) against a history x key (default epoch), one
//    line per group, averaged over the group's runs (seeds) epoch by epoch, with a shaded band of
//    ±1 sample standard deviation over those runs where a group has more than one;
//  - metric vs parameter: a value of metrics.json (e.g. final.prompt_tuning_acc) against a spec key
//    (e.g. spec.hmm.hidden_states), one line per group, mean with ±1 std error bars.
// Without y, the headline metric of the runs' trainer (results/headline.h) is plotted: the history
// key itself on learning curves, final.<key> (else best.<key>) against a parameter. The title names
// the metric, the x key and the grouping keys (by default the spec keys that vary); a log axis says
// so in its label. On a log y axis a band reaching zero or below is cut at half the smallest
// positive mean of the plot.
#include <string>
#include <vector>

#include "results/result_set.h"

namespace wei {

struct PlotOptions {
  // One or more y keys, each its own set of lines: "test_error" (history) or "final.x" (metric);
  // e.g. final.prompt_tuning_acc and final.head_tuning_acc against spec.hmm.hidden_states.
  // Empty: the headline metric.
  std::vector<std::string> y;
  std::string x = "epoch";   // history key, or "spec.<key>" for metric-vs-parameter plots
  std::vector<std::string> by;  // grouping keys; empty: the spec keys that vary (except x)
  std::string out;           // output prefix: writes OUT.png, OUT.svg, OUT.dat, OUT.gp
  std::string title;         // empty: made from the metric, x and grouping keys
  bool logx = false;
  bool logy = false;
  bool png = true;           // false: only OUT.svg (the HTML report inlines it)
  bool svg_fit = false;      // the SVG scales to its container (gnuplot's `dynamic`), for inline use
  bool quiet = false;        // gnuplot's warnings go to OUT.log instead of this process's stderr
};

// The gnuplot data blocks and script (exposed for tests); `data_path` is where the data go.
struct PlotFiles {
  std::string data;
  std::string script;
  std::vector<std::string> y;  // the y keys plotted (the headline when options.y was empty)
  std::string title;
};
PlotFiles make_plot_files(const std::vector<RunRecord>& runs, const PlotOptions& options);

// Writes OUT.dat and OUT.gp and runs gnuplot; InputError when gnuplot is missing or nothing matched.
// Returns what make_plot_files made.
PlotFiles render_plot(const std::vector<RunRecord>& runs, const PlotOptions& options);

// True when gnuplot can be run.
bool gnuplot_available();

}  // namespace wei
