#include "cli/cli.h"

#include <unistd.h>

#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "core/errors.h"
#include "core/runner.h"
#include "spec/spec_loader.h"

namespace wei::cli {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitInterrupted = 130;

std::string version_text() {
  return std::string("wei-run ") + WEI_RUN_VERSION + " (LibTorch " + TORCH_VERSION + ")";
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
