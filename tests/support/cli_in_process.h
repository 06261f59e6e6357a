#pragma once
// Runs a wei-run command line in this process through cli::run, capturing what it writes, for
// tests of the command line that do not test the process itself (signals, exit by kill, workers).
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "support/process.h"

namespace wei::testing {

// Runs `args` with `cwd` as the working directory (restored afterwards); log lines go to `err`.
inline ProcessResult run_cli(const std::vector<std::string>& args, const std::filesystem::path& cwd) {
  const std::filesystem::path before = std::filesystem::current_path();
  std::filesystem::current_path(cwd);
  std::ostringstream out, err;
  // Sweep workers exec the wei-run binary: this process is the test binary.
  cli::Environment env{out, err, &err, false, WEI_RUN_BINARY, WEI_RUN_BINARY};
  int code = 0;
  try {
    code = cli::run(args, env);
  } catch (...) {
    std::filesystem::current_path(before);
    throw;
  }
  std::filesystem::current_path(before);
  return {code, out.str(), err.str()};
}

}  // namespace wei::testing
