#include <memory>

#include "cli/commands.h"
#include "cli/exit_codes.h"
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

}  // namespace

Command add_run_command(CLI::App& app) {
  auto options = std::make_shared<RunOptions>();
  auto device = std::make_shared<std::string>();
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
  return {run, [options, device](const Environment& env, const TrainerRegistry& registry,
                                 const std::vector<std::string>& argv) {
            RunOptions run_options = *options;
            if (!device->empty()) run_options.overrides.push_back("device=" + *device);
            run_options.argv = argv;
            run_options.live_progress = env.live_progress;
            run_options.console = env.log;
            return exit_code(run_experiment(run_options, registry).status);
          }};
}

}  // namespace wei::cli
