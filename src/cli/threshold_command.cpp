#include <memory>

#include <fmt/format.h>

#include "base/errors.h"
#include "cli/commands.h"
#include "results/plot.h"
#include "results/summary.h"
#include "results/threshold_crossing.h"

namespace wei::cli {

namespace {

struct ThresholdOptions {
  std::vector<std::string> dirs;
  CrossingOptions crossing;
  bool increasing = false;
  std::vector<std::string> by;
  std::string fit;
  std::string plot;
};

std::string fit_table(const std::vector<PowerLawFit>& fits, const std::vector<std::string>& keys,
                      const std::string& along, const std::string& x) {
  std::string out = fmt::format("\nlog10 {}* = a + slope * log10 {} (least squares over the replicates' crossings)\n\n|",
                                x, along);
  for (const auto& key : keys) out += " " + key + " |";
  out += " slope | 95% CI | points | distinct |\n|";
  for (size_t i = 0; i < keys.size() + 4; ++i) out += "---|";
  out += "\n";
  for (const auto& f : fits) {
    out += "|";
    for (const auto& v : f.group_values) out += " " + v + " |";
    out += f.slope ? fmt::format(" {:.3f} |", *f.slope) : std::string(" - |");
    out += f.ci_half ? fmt::format(" [{:.3f}, {:.3f}] |", *f.slope - *f.ci_half, *f.slope + *f.ci_half)
                     : std::string(" - |");
    out += fmt::format(" {} | {} |\n", f.points, f.distinct);
  }
  return out;
}

}  // namespace

Command add_threshold_command(CLI::App& app) {
  auto o = std::make_shared<ThresholdOptions>();
  auto* sub = app.add_subcommand(
      "threshold",
      "where a metric first reaches a level along a spec key (sample complexity n*(eps) of a sweep over n), per "
      "group, with power-law fits of the crossing against another key");
  sub->add_option("dirs", o->dirs, "sweep roots or run directories")->required();
  sub->add_option("--x", o->crossing.x, "the spec key that grows (default spec.data.n)");
  sub->add_option("--y", o->crossing.y, "the metric (default final.test_error)");
  sub->add_option("--at", o->crossing.at, "the level the metric must reach (default 5)");
  sub->add_flag("--increasing", o->increasing, "the metric grows (an accuracy): reached when y >= the level");
  sub->add_option("--by", o->by, "grouping keys of the table (default: the spec keys that vary, x excepted)")
      ->delimiter(',');
  sub->add_option("--fit", o->fit,
                  "a spec key to fit log10 x* against (log10 of it), within each group of the other --by keys");
  sub->add_option("--plot", o->plot,
                  "output prefix: x* against the --fit key, one line per group, log-log (OUT.png, OUT.svg)");
  return {sub, [o](const Environment& env, const TrainerRegistry&, const std::vector<std::string>&) {
            o->crossing.decreasing = !o->increasing;
            const auto runs = collect_runs(o->dirs);
            if (runs.empty()) throw InputError("threshold: no metrics.json found below " + o->dirs.front());
            const auto records = crossing_records(runs, o->crossing);
            std::vector<std::string> by = o->by;
            if (by.empty()) by = varying_spec_keys(records);
            env.out << fmt::format("{}* = the smallest {} at which {} {} {}, interpolated in log {} ({} replicates; "
                                   "reached = the fraction that do, censored_below = at the smallest {} already)\n\n",
                                   o->crossing.x, o->crossing.x, o->crossing.y, o->increasing ? ">=" : "<=",
                                   o->crossing.at, o->crossing.x, records.size(), o->crossing.x);
            const Summary summary = summarize(
                records, by, {"final.x_star", "final.log10_x_star", "final.reached", "final.censored_below"});
            env.out << format_markdown(summary, TableStyle{});
            if (o->fit.empty()) return 0;
            std::vector<std::string> others;
            for (const auto& key : by) {
              if (key != o->fit) others.push_back(key);
            }
            env.out << fit_table(fit_power_laws(records, o->fit, others), others, o->fit, o->crossing.x);
            if (!o->plot.empty()) {
              PlotOptions plot;
              plot.y = {"final.x_star"};
              plot.x = o->fit;
              plot.by = others;
              plot.out = o->plot;
              plot.logx = plot.logy = true;
              plot.title = fmt::format("{}* ({} {} {}) against {}", o->crossing.x, o->crossing.y,
                                       o->increasing ? ">=" : "<=", o->crossing.at, o->fit);
              render_plot(records, plot);
              env.err << "wrote " << o->plot << ".png and " << o->plot << ".svg\n";
            }
            return 0;
          }};
}

}  // namespace wei::cli
