#pragma once
// Summary statistics of metrics over groups of runs (seeds): mean, sample standard deviation and
// the 95% confidence interval of the mean from Student's t distribution, with the paper's value
// beside them when the runs' spec declares one (spec/paper_reference.h).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "results/result_set.h"

namespace wei {

struct MetricStats {
  size_t n = 0;
  double mean = 0;
  double std = 0;      // sample standard deviation (n - 1); 0 when n < 2
  double ci_half = 0;  // t_{0.975, n-1} * std / sqrt(n); 0 when n < 2
};

MetricStats describe(const std::vector<double>& values);
// Two-sided 95% quantile of Student's t with `dof` degrees of freedom (dof >= 1).
double t_quantile_975(size_t dof);

// (mean - reference) in units of the 95% interval's half-width; nullopt when there is no interval
// (n < 2, or runs that agree exactly and differ from the reference).
std::optional<double> reference_deviation(const MetricStats& stats, double reference);

// The order of groups in tables: key values compared in turn, numbers numerically (5 < 10 < 160),
// anything else as text.
bool key_values_less(const std::vector<std::string>& a, const std::vector<std::string>& b);

struct SummaryGroup {
  std::vector<std::string> key_values;  // one per grouping key
  std::vector<MetricStats> stats;       // one per metric
  // One per metric: the paper's value when the group's runs declare one (and agree on it).
  std::vector<std::optional<double>> reference;
};

struct Summary {
  std::vector<std::string> keys;
  std::vector<std::string> metrics;
  std::vector<SummaryGroup> groups;  // sorted by key values, numbers numerically (5 < 10 < 160)
  size_t skipped = 0;                // runs whose status is not "ok"
  // Where the reference values come from, one line each: "Cao et al. 2019, Table 2 (configs/x.yaml)".
  std::vector<std::string> reference_sources;
  // Groups whose runs' spec files give different values for one metric (none is shown for it).
  std::vector<std::string> reference_conflicts;

  bool has_reference(size_t metric) const;
};

// Groups the runs with status "ok" by `keys` and describes each of `metrics` (dotted paths).
// Empty `keys`: the spec keys that vary; empty `metrics`: the metrics the runs' references name,
// then every number in the runs' "final" block.
Summary summarize(const std::vector<RunRecord>& runs, std::vector<std::string> keys, std::vector<std::string> metrics);

// How a summary table is written.
//  - kCompact (the default of `summarize`): short headers (spec. and final. left out), "mean ± std"
//    cells, one n column, and the metric columns split over as many tables as it takes for each to
//    fit `width` columns (each repeats the group keys; key values longer than 28 are cut with …).
//  - kFull: one table, full key and metric names, "mean ± std [95% CI], n=N" cells.
// Precision kAuto rounds each cell to what its spread supports (results/number_format.h); kFull
// writes six significant digits, as summaries always did. A metric with a reference gets two more
// columns: "paper" (the value) and "Δ/hw" ((mean - paper) / the 95% interval's half-width).
enum class TableLayout { kCompact, kFull };
enum class TablePrecision { kAuto, kFull };
struct TableStyle {
  TableLayout layout = TableLayout::kCompact;
  TablePrecision precision = TablePrecision::kAuto;
  size_t width = 120;
};

// The cells of a summary table, shared by the Markdown and HTML writers.
struct TableColumn {
  std::string header;
  std::string title;        // the full name (metric path, key path) for tooltips
  bool numeric = false;     // right-aligned
  size_t metric = SIZE_MAX; // the metric this column belongs to; SIZE_MAX: a key or n column
};
struct SummaryTable {
  std::vector<TableColumn> columns;
  std::vector<std::vector<std::string>> rows;  // one per group
  std::vector<std::string> notes;              // lines printed under the table
};
SummaryTable summary_table(const Summary& summary, const TableStyle& style);

std::string format_markdown(const Summary& summary, const TableStyle& style = {});
// Full precision always (a CSV is read by programs); `<metric>_paper` and `<metric>_paper_dev`
// columns follow a metric that has a reference.
std::string format_csv(const Summary& summary);

}  // namespace wei
