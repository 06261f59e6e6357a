#include <memory>

#include "cli/commands.h"
#include "base/errors.h"
#include "base/exit_codes.h"
#include "base/world_info.h"
#include "run/local_launcher.h"
#include "run/runner.h"

namespace wei::cli {

namespace {

int exit_code(RunStatus status) {
  switch (status) {
    case RunStatus::kOk: return kExitOk;
    case RunStatus::kInterrupted: return kExitInterrupted;
    case RunStatus::kIoError: return kExitIoError;
    case RunStatus::kFailed:
    case RunStatus::kDiverged: return kExitFailed;
  }
  return kExitFailed;
}

// The worker's command line: the launcher's own without --nproc.
std::vector<std::string> worker_args(const std::vector<std::string>& argv) {
  std::vector<std::string> args;
  for (size_t i = 1; i < argv.size(); ++i) {
    if (argv[i] == "--nproc") {
      ++i;
      continue;
    }
    if (argv[i].rfind("--nproc=", 0) == 0) continue;
    args.push_back(argv[i]);
  }
  return args;
}

}  // namespace

Command add_run_command(CLI::App& app) {
  auto options = std::make_shared<RunOptions>();
  auto device = std::make_shared<std::string>();
  auto nproc = std::make_shared<int>(1);
  auto timeout = std::make_shared<int>(300);
  auto* run = app.add_subcommand("run", "run an experiment: wei-run run SPEC [key=value ...]");
  run->add_option("spec", options->spec_path, "YAML experiment spec")->required();
  run->add_option("overrides", options->overrides, "key=value overrides of spec keys (values are YAML)");
  run->add_option("--out", options->out_dir, "run directory (default results/<name>/<UTC timestamp>)");
  run->add_option("--device", *device, "auto, cpu, cuda or cuda:N (overrides the spec's device)");
  run->add_flag("--resume", options->resume, "continue the interrupted run in --out from its checkpoint");
  run->add_flag("--force", options->force, "overwrite the run files of a finished run in --out");
  run->add_flag("--continue", options->continue_run,
                "finish the run in --out: keep it if it ended (ok or diverged), resume it if interrupted, else "
                "start it over (for scripts and requeued jobs)");
  run->add_flag("--strict", options->strict,
                "refuse a key that the spec's method or setting does not read (default: a warning, recorded in "
                "metrics.json spec_warnings)");
  run->add_option("--nproc", *nproc,
                  "data-parallel: start N worker processes on this machine (torch c10d: Gloo on CPU, NCCL on "
                  "CUDA); the spec's batch size is the global batch")
      ->check(CLI::Range(1, 4096));
  run->add_option("--collective-timeout", *timeout,
                  "data-parallel: seconds a rank waits for the others (rendezvous, any collective) before it fails "
                  "(default 300)")
      ->check(CLI::Range(1, 86400));
  return {run, [options, device, nproc, timeout](const Environment& env, const TrainerRegistry& registry,
                                                 const std::vector<std::string>& argv) {
            const WorldInfo world = detect_world(process_environment());
            if (*nproc > 1) {
              if (world.distributed()) {
                throw InputError("--nproc " + std::to_string(*nproc) + ": this process is already rank " +
                                 std::to_string(world.rank) + " of a world of " + std::to_string(world.world_size) +
                                 " (set by " + world.launcher + "); drop --nproc");
              }
              RunOptions checked = *options;
              if (!device->empty()) checked.overrides.push_back("device=" + *device);
              check_data_parallel_spec(checked, registry, *nproc);
              LocalLaunch launch;
              launch.nproc = *nproc;
              launch.worker_args = worker_args(argv);
              launch.grace = std::chrono::seconds(*timeout + 30);
              return launch_local_workers(launch);
            }
            RunOptions run_options = *options;
            run_options.world = world;
            run_options.collective_timeout = std::chrono::seconds(*timeout);
            if (!device->empty()) run_options.overrides.push_back("device=" + *device);
            run_options.argv = argv;
            run_options.live_progress = env.live_progress;
            run_options.console = env.log;
            return exit_code(run_experiment(run_options, registry).status);
          }};
}

}  // namespace wei::cli
