#pragma once
// The wei-run command line: run | validate | list | diff | sweep | summarize | plot | report, one file per
// subcommand (cli/*_command.cpp). Returns the process exit code: 0 ok, 1 run failed/diverged or diff
// found differences, 2 usage/spec/input error, 130 interrupted.
#include <ostream>
#include <string>
#include <vector>

namespace wei::cli {

// What the process around a command supplies; in-process callers (tests) pass their own streams.
struct Environment {
  std::ostream& out;
  std::ostream& err;
  // Where `run` sends its log lines; nullptr: the process's stderr, coloured on a terminal.
  std::ostream* log = nullptr;
  bool live_progress = false;  // `run` rewrites one progress line in place (stderr is a terminal)
  std::string self_binary;     // the wei-run executable that sweep workers run
};

// Runs the command line `args` (without the program name).
int run(const std::vector<std::string>& args, const Environment& env);

// The process entry point: the environment of this process, then run().
int main(int argc, char** argv);

}  // namespace wei::cli
