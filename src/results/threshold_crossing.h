#pragma once
// Sample-complexity curves from sweeps: where a metric first reaches a level as one spec key grows.
// For every replicate (the runs that differ only in the x key, e.g. one circuit.seed and seed at
// one size and width), the crossing x* of `y` <= `at` (or >= for a metric that grows) along x:
// the first x whose value reaches the level, interpolated linearly in log x against y between it
// and the grid point before (the grid of x is taken as logarithmic). A replicate that reaches the
// level at its smallest x is censored below (x* <= that x), one that never does censored above.
//
// The crossings come back as run records ("spec" = the replicate's spec without x; "final" =
// {x_star, log10_x_star, reached, censored_below, grid_points}), so that summaries and plots take
// them as they take runs; a censored replicate has no x_star.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "results/result_set.h"

namespace wei {

struct CrossingOptions {
  std::string x = "spec.data.n";       // the spec key that grows
  std::string y = "final.test_error";  // the metric
  double at = 5.0;                      // the level
  bool decreasing = true;               // true: y <= at counts as reached (an error); false: y >= at
};

// One record per replicate of the "ok" runs, sorted like the runs. InputError when x is not a
// spec key of the runs, or no run has a numeric y.
std::vector<RunRecord> crossing_records(const std::vector<RunRecord>& runs, const CrossingOptions& options);

// The crossing of one replicate's points (x ascending, x > 0); nullopt when censored. Exposed for tests.
struct CrossingPoint {
  std::optional<double> x_star;
  bool censored_below = false;
};
CrossingPoint crossing_of(const std::vector<std::pair<double, double>>& points, const CrossingOptions& options);

// log10 x* = a + slope * log10 v by least squares over the uncensored crossings of `records` in
// one group (every key of `group_by` equal), v the value of `along` (a spec key): the power-law
// exponent, with the 95% interval of the slope from its standard error (t with points - 2 degrees
// of freedom; none below 3 points).
struct PowerLawFit {
  std::vector<std::string> group_values;  // one per group_by key
  size_t points = 0;                      // uncensored crossings in the fit
  size_t distinct = 0;                    // distinct values of `along` among them
  std::optional<double> slope, ci_half;
};
std::vector<PowerLawFit> fit_power_laws(const std::vector<RunRecord>& records, const std::string& along,
                                        const std::vector<std::string>& group_by);

}  // namespace wei
