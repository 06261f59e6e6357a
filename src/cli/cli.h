#pragma once
// The wei-run command line: run | validate | list | diff | sweep | summarize | plot | report, one file per
// subcommand (cli/*_command.cpp). Returns the process exit code: 0 ok, 1 run failed/diverged or diff
// found differences, 2 usage/spec/input error, 130 interrupted.
#include <string>
#include <vector>

#include "cli/environment.h"

namespace wei::cli {

// Runs the command line `args` (without the program name).
int run(const std::vector<std::string>& args, const Environment& env);

// The process entry point: the environment of this process, then run().
int main(int argc, char** argv);

}  // namespace wei::cli
