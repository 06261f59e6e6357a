#include "cli/cli.h"

#include <unistd.h>

#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "core/cpu_info.h"
#include "core/errors.h"
#include "core/runner.h"
#include "results/plot.h"
#include "sweep/sweep_runner.h"
#include "spec/spec_loader.h"

namespace wei::cli {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitInterrupted = 130;

// The second line is what a timing depends on; scripts/bench_imbalanced_cifar.sh reads its
// "bf16 kernels:" field.
std::string version_text() {
  return std::string("wei-run ") + WEI_RUN_VERSION + " (LibTorch " + TORCH_VERSION + ")\ncpu: " +
         cpu_summary(host_cpu());
}

int exit_code(RunStatus status) {
  switch (status) {
    case RunStatus::kOk: return kExitOk;
    case RunStatus::kInterrupted: return kExitInterrupted;
    case RunStatus::kFailed:
    case RunStatus::kDiverged: return kExitFailed;
  }
  return kExitFailed;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"wei-run: reproduce learning-theory experiments from YAML specs", "wei-run"};
  app.set_version_flag("--version", version_text());
  app.require_subcommand(1);

  RunOptions run_options;
  std::string device;
  auto* run = app.add_subcommand("run", "run an experiment: wei-run run SPEC [key=value ...]");
  run->add_option("spec", run_options.spec_path, "YAML experiment spec")->required();
  run->add_option("overrides", run_options.overrides, "key=value overrides of spec keys (values are YAML)");
  run->add_option("--out", run_options.out_dir, "run directory (default results/<name>/<UTC timestamp>)");
  run->add_option("--device", device, "auto, cpu, cuda or cuda:N (overrides the spec's device)");
  run->add_flag("--resume", run_options.resume, "continue the interrupted run in --out from its checkpoint");
  run->add_flag("--force", run_options.force, "overwrite the run files of a finished run in --out");
  run->add_flag("--continue", run_options.continue_run,
                "finish the run in --out: keep it if it ended (ok or diverged), resume it if interrupted, else "
                "start it over (for scripts and requeued jobs)");
  run->set_version_flag("--version", version_text());

  std::string validate_spec;
  std::vector<std::string> validate_overrides;
  auto* validate = app.add_subcommand("validate", "check a spec and print it fully resolved");
  validate->add_option("spec", validate_spec, "YAML experiment spec")->required();
  validate->add_option("overrides", validate_overrides, "key=value overrides");
  validate->set_version_flag("--version", version_text());

  std::optional<std::string> list_trainer;
  auto* list = app.add_subcommand("list", "list trainers with their parameters, types, defaults and help");
  list->add_option("trainer", list_trainer, "show only this trainer");
  list->set_version_flag("--version", version_text());

  DiffOptions diff_options;
  auto* diff = app.add_subcommand("diff", "compare two metrics.json files (exit 0 equal, 1 different)");
  diff->add_option("a", diff_options.left, "first metrics.json")->required();
  diff->add_option("b", diff_options.right, "second metrics.json")->required();
  diff->add_option("--rtol", diff_options.rtol, "relative tolerance for numbers")->check(CLI::NonNegativeNumber);
  diff->add_option("--atol", diff_options.atol, "absolute tolerance for numbers")->check(CLI::NonNegativeNumber);
  diff->add_flag("--include-run", diff_options.include_run, "also compare the volatile run block");
  diff->set_version_flag("--version", version_text());

  SweepOptions sweep_options;
  std::optional<size_t> sweep_index;
  auto* sweep = app.add_subcommand("sweep", "run a family of runs: wei-run sweep SPEC key=v1,v2 key=range(0,5) ...");
  sweep->add_option("spec", sweep_options.spec_path, "YAML experiment spec (may hold a sweep: block)")->required();
  sweep->add_option("args", sweep_options.args, "key=v1,v2 or key=range(start,stop[,step]) axes; key=v fixed overrides");
  sweep->add_option("--out", sweep_options.out_dir, "sweep root (default results/<name>/sweep-<UTC timestamp>)");
  sweep->add_option("--jobs", sweep_options.jobs, "local worker processes (threads are split between them)")
      ->check(CLI::PositiveNumber);
  sweep->add_option("--mode", sweep_options.mode, "grid (cartesian product) or zip (lockstep)")
      ->check(CLI::IsMember({"grid", "zip"}));
  sweep->add_option("--launcher", sweep_options.launcher, "local or slurm")->check(CLI::IsMember({"local", "slurm"}));
  sweep->add_option("--index", sweep_index, "run only this point (a Slurm array task)");
  sweep->add_option("--slurm-partition", sweep_options.slurm.partition, "sbatch --partition");
  sweep->add_option("--slurm-time", sweep_options.slurm.time, "sbatch --time, e.g. 02:00:00");
  sweep->add_option("--slurm-cpus", sweep_options.slurm.cpus_per_task, "sbatch --cpus-per-task");
  sweep->add_option("--slurm-gpus", sweep_options.slurm.gpus, "sbatch --gpus");
  sweep->add_option("--slurm-mem", sweep_options.slurm.mem, "sbatch --mem, e.g. 8G");
  sweep->add_option("--slurm-max-parallel", sweep_options.slurm.max_parallel, "at most K array tasks at once (%K)");
  bool no_submit = false;
  sweep->add_flag("--no-submit", no_submit, "write the sbatch script without submitting it");
  sweep->set_version_flag("--version", version_text());

  SummarizeOptions summarize_options;
  auto* summarize = app.add_subcommand("summarize", "table of metrics grouped by spec keys: mean ± std, 95% CI, n");
  summarize->add_option("dirs", summarize_options.dirs, "run directories or sweep roots")->required();
  summarize->add_option("--by", summarize_options.by, "grouping keys, e.g. spec.method (default: keys that vary)")
      ->delimiter(',');
  summarize->add_option("--metrics", summarize_options.metrics, "dotted paths, e.g. final.test_error (default: final.*)")
      ->delimiter(',');
  summarize->add_option("--format", summarize_options.format, "markdown or csv");
  summarize->set_version_flag("--version", version_text());

  PlotOptions plot_options;
  std::vector<std::string> plot_dirs;
  auto* plot = app.add_subcommand("plot", "learning curves or metric-vs-parameter plots (PNG + SVG, gnuplot)");
  plot->add_option("dirs", plot_dirs, "run directories or sweep roots")->required();
  plot->add_option("--y", plot_options.y, "history key (test_error) or metric path(s) (final.a,final.b)")
      ->required()
      ->delimiter(',');
  plot->add_option("--x", plot_options.x, "history key (default epoch) or spec key (spec.optim.lr)");
  plot->add_option("--by", plot_options.by, "grouping keys (default: spec keys that vary)")->delimiter(',');
  plot->add_option("--out", plot_options.out, "output prefix: writes OUT.png and OUT.svg")->required();
  plot->add_option("--title", plot_options.title, "plot title");
  plot->set_version_flag("--version", version_text());

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }

  try {
    const TrainerRegistry& registry = builtin_registry();
    if (*run) {
      if (!device.empty()) run_options.overrides.push_back("device=" + device);
      run_options.argv.assign(argv, argv + argc);
      run_options.live_progress = isatty(STDERR_FILENO) == 1;
      return exit_code(run_experiment(run_options, registry).status);
    }
    if (*validate) {
      std::cout << load_spec(validate_spec, validate_overrides, registry).to_yaml();
      return kExitOk;
    }
    if (*list) return list_command(registry, list_trainer);
    if (*diff) return diff_command(diff_options);
    if (*sweep) {
      sweep_options.index = sweep_index;
      sweep_options.slurm.submit = !no_submit;
      sweep_options.self_binary = std::filesystem::read_symlink("/proc/self/exe").string();
      return run_sweep(sweep_options, registry);
    }
    if (*summarize) return summarize_command(summarize_options);
    if (*plot) {
      render_plot(collect_runs(plot_dirs), plot_options);
      std::cerr << "wrote " << plot_options.out << ".png and " << plot_options.out << ".svg\n";
      return kExitOk;
    }
  } catch (const SpecError& e) {
    for (const auto& line : e.diagnostics()) std::cerr << line << "\n";
    return kExitUsage;
  } catch (const InputError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitFailed;
  }
  return kExitUsage;
}

}  // namespace wei::cli
