#pragma once
// Plots of results with gnuplot (Debian's gnuplot-nox), written as PNG and SVG:
//  - learning curves: a history key (e.g. test_error) against a history x key (default epoch), one
//    line per group, averaged over the group's runs (seeds) epoch by epoch;
//  - metric vs parameter: a value of metrics.json (e.g. final.prompt_tuning_acc) against a spec key
//    (e.g. spec.hmm.hidden_states), one line per group, mean with standard-deviation error bars.
#include <string>
#include <vector>

#include "results/result_set.h"

namespace wei {

struct PlotOptions {
  // One or more y keys, each its own set of lines: "test_error" (history) or "final.x" (metric);
  // e.g. final.prompt_tuning_acc and final.head_tuning_acc against spec.hmm.hidden_states.
  std::vector<std::string> y;
  std::string x = "epoch";   // history key, or "spec.<key>" for metric-vs-parameter plots
  std::vector<std::string> by;  // grouping keys; empty: the spec keys that vary (except x)
  std::string out;           // output prefix: writes OUT.png, OUT.svg, OUT.dat, OUT.gp
  std::string title;
};

// The gnuplot data blocks and script (exposed for tests); `data_path` is where the data go.
struct PlotFiles {
  std::string data;
  std::string script;
};
PlotFiles make_plot_files(const std::vector<RunRecord>& runs, const PlotOptions& options);

// Writes OUT.dat and OUT.gp and runs gnuplot; InputError when gnuplot is missing or nothing matched.
void render_plot(const std::vector<RunRecord>& runs, const PlotOptions& options);

}  // namespace wei
