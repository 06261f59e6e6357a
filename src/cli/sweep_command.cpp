#include <memory>
#include <optional>

#include "cli/commands.h"
#include "sweep/sweep_runner.h"

namespace wei::cli {

Command add_sweep_command(CLI::App& app) {
  auto options = std::make_shared<SweepOptions>();
  auto index = std::make_shared<std::optional<size_t>>();
  auto no_submit = std::make_shared<bool>(false);
  auto* sweep = app.add_subcommand("sweep", "run a family of runs: wei-run sweep SPEC key=v1,v2 key=range(0,5) ...");
  sweep->add_option("spec", options->spec_path, "YAML experiment spec (may hold a sweep: block)")->required();
  sweep->add_option("args", options->args, "key=v1,v2 or key=range(start,stop[,step]) axes; key=v fixed overrides");
  sweep->add_option("--out", options->out_dir, "sweep root (default results/<name>/sweep-<UTC timestamp>)");
  sweep->add_option("--jobs", options->jobs, "local worker processes (threads are split between them)")
      ->check(CLI::PositiveNumber);
  sweep->add_option("--mode", options->mode, "grid (cartesian product) or zip (lockstep)")
      ->check(CLI::IsMember({"grid", "zip"}));
  sweep->add_option("--launcher", options->launcher, "local or slurm")->check(CLI::IsMember({"local", "slurm"}));
  sweep->add_option("--index", *index, "run only this point (a Slurm array task)");
  sweep->add_option("--slurm-partition", options->slurm.partition, "sbatch --partition");
  sweep->add_option("--slurm-time", options->slurm.time, "sbatch --time, e.g. 02:00:00");
  sweep->add_option("--slurm-cpus", options->slurm.cpus_per_task, "sbatch --cpus-per-task");
  sweep->add_option("--slurm-gpus", options->slurm.gpus, "sbatch --gpus");
  sweep->add_option("--slurm-mem", options->slurm.mem, "sbatch --mem, e.g. 8G");
  sweep->add_option("--slurm-max-parallel", options->slurm.max_parallel, "at most K array tasks at once (%K)");
  sweep->add_option("--slurm-tasks", options->slurm.tasks,
                    "tasks per point (sbatch --ntasks): each point runs data-parallel, one rank per task, under srun")
      ->check(CLI::Range(1, 4096));
  sweep->add_flag("--no-submit", *no_submit, "write the sbatch script without submitting it");
  sweep->add_flag("--strict", options->strict,
                  "refuse a key that a point's method or setting does not read (default: a warning)");
  sweep->add_option("--max-points", options->max_points, "refuse a plan of more points than this (default 10000)")
      ->check(CLI::PositiveNumber);
  return {sweep, [options, index, no_submit](const Environment& env, const TrainerRegistry& registry,
                                             const std::vector<std::string>&) {
            SweepOptions sweep_options = *options;
            sweep_options.index = *index;
            sweep_options.slurm.submit = !*no_submit;
            sweep_options.self_binary = env.self_binary;
            sweep_options.worker_binary = env.worker_binary;
            return run_sweep(sweep_options, registry);
          }};
}

}  // namespace wei::cli
