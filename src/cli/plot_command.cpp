#include <memory>

#include "cli/commands.h"
#include "results/plot.h"

namespace wei::cli {

Command add_plot_command(CLI::App& app) {
  auto options = std::make_shared<PlotOptions>();
  auto dirs = std::make_shared<std::vector<std::string>>();
  auto* plot = app.add_subcommand("plot", "learning curves or metric-vs-parameter plots (PNG + SVG, gnuplot)");
  plot->add_option("dirs", *dirs, "run directories or sweep roots")->required();
  plot->add_option("--y", options->y,
                   "history key (test_error) or metric path(s) (final.a,final.b); default: the trainer's headline "
                   "metric")
      ->delimiter(',');
  plot->add_option("--x", options->x, "history key (default epoch) or spec key (spec.optim.lr)");
  plot->add_option("--by", options->by, "grouping keys (default: spec keys that vary)")->delimiter(',');
  plot->add_option("--out", options->out, "output prefix: writes OUT.png and OUT.svg")->required();
  plot->add_option("--title", options->title, "plot title (default: the metric, x and grouping keys)");
  plot->add_flag("--logy", options->logy, "logarithmic y axis");
  plot->add_flag("--logx", options->logx, "logarithmic x axis");
  return {plot, [options, dirs](const Environment& env, const TrainerRegistry&, const std::vector<std::string>&) {
            const PlotFiles files = render_plot(collect_runs(*dirs), *options);
            env.err << "wrote " << options->out << ".png and " << options->out << ".svg (" << files.title << ")\n";
            return 0;
          }};
}

}  // namespace wei::cli
