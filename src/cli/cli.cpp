#include "cli/cli.h"

#include <unistd.h>

#include <filesystem>
#include <iostream>

#include <torch/version.h>

#include "base/clipped_text.h"
#include "base/cpu_info.h"
#include "base/directory_lock.h"
#include "base/durable_file.h"
#include "base/errors.h"
#include "base/exit_codes.h"
#include "cli/commands.h"
#include "trainers/register_builtin.h"

namespace wei::cli {

namespace {

// The second line is what a timing depends on; scripts/bench_imbalanced_cifar.sh reads its
// "bf16 kernels:" field.
std::string version_text() {
  return std::string("wei-run ") + WEI_RUN_VERSION + " (LibTorch " + TORCH_VERSION + ")\ncpu: " +
         cpu_summary(host_cpu());
}

}  // namespace

int run(const std::vector<std::string>& args, const Environment& env) {
  CLI::App app{"wei-run: reproduce learning-theory experiments from YAML specs", "wei-run"};
  app.set_version_flag("--version", version_text());
  app.require_subcommand(1);
  // Error messages echo what was typed; an argument of 200 KB comes back cut (clipped_lines).
  app.failure_message([](const CLI::App* failed, const CLI::Error& e) {
    return clipped_lines(CLI::FailureMessage::simple(failed, e));
  });
  const std::vector<Command> commands = {add_run_command(app),       add_validate_command(app),
                                         add_list_command(app),      add_diff_command(app),
                                         add_sweep_command(app),     add_summarize_command(app),
                                         add_plot_command(app),      add_report_command(app),
                                         add_threshold_command(app)};
  for (const Command& command : commands) command.app->set_version_flag("--version", version_text());

  std::vector<std::string> argv = {"wei-run"};
  argv.insert(argv.end(), args.begin(), args.end());
  try {
    app.parse(std::vector<std::string>(args.rbegin(), args.rend()));  // CLI11 takes them reversed
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, env.out, env.err);
    return code == 0 ? kExitOk : kExitUsage;
  }

  try {
    for (const Command& command : commands) {
      if (*command.app) return command.action(env, builtin_registry(), argv);
    }
  } catch (const SpecError& e) {
    for (const auto& line : e.diagnostics()) env.err << clipped_lines(line) << "\n";
    return kExitUsage;
  } catch (const InputError& e) {
    env.err << "error: " << clipped_lines(e.what()) << "\n";
    return kExitUsage;
  } catch (const BusyError& e) {
    env.err << "error: " << clipped_lines(e.what()) << "\n";
    return kExitBusy;
  } catch (const WriteError& e) {
    env.err << "error: " << clipped_lines(e.what()) << "\n";
    return kExitIoError;
  } catch (const InterruptedError&) {
    env.err << "interrupted before anything was written; run the same command again\n";
    return kExitInterrupted;
  } catch (const std::exception& e) {
    env.err << "error: " << clipped_lines(first_line(e.what())) << "\n";
    return kExitFailed;
  } catch (...) {
    env.err << "error: unknown exception\n";
    return kExitFailed;
  }
  return kExitUsage;
}

int main(int argc, char** argv) {
  Environment env{std::cout, std::cerr, nullptr, isatty(STDERR_FILENO) == 1,
                  std::filesystem::read_symlink("/proc/self/exe").string(), "/proc/self/exe"};
  return run(std::vector<std::string>(argv + 1, argv + argc), env);
}

}  // namespace wei::cli
