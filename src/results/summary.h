#pragma once
// Summary statistics of metrics over groups of runs (seeds): mean, sample standard deviation and
// the 95% confidence interval of the mean from Student's t distribution.
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

struct SummaryGroup {
  std::vector<std::string> key_values;  // one per grouping key
  std::vector<MetricStats> stats;       // one per metric
};

struct Summary {
  std::vector<std::string> keys;
  std::vector<std::string> metrics;
  std::vector<SummaryGroup> groups;  // in order of first appearance
  size_t skipped = 0;                // runs whose status is not "ok"
};

// Groups the runs with status "ok" by `keys` and describes each of `metrics` (dotted paths).
// Empty `keys`: the spec keys that vary; empty `metrics`: every number in the runs' "final" block.
Summary summarize(const std::vector<RunRecord>& runs, std::vector<std::string> keys, std::vector<std::string> metrics);

std::string format_markdown(const Summary& summary);
std::string format_csv(const Summary& summary);

}  // namespace wei
