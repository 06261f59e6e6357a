#pragma once
// The environment a wei-run command runs in: its streams and the executable it was started as.
// cli.h runs a command line in one; every subcommand's action (commands.h) receives it.
#include <ostream>
#include <string>

namespace wei::cli {

// What the process around a command supplies; in-process callers (tests) pass their own streams.
struct Environment {
  std::ostream& out;
  std::ostream& err;
  // Where `run` sends its log lines; nullptr: the process's stderr, coloured on a terminal.
  std::ostream* log = nullptr;
  bool live_progress = false;  // `run` rewrites one progress line in place (stderr is a terminal)
  std::string self_binary;     // the wei-run executable's path (Slurm scripts name it)
  // What local sweep workers exec: "/proc/self/exe" in wei-run, the executable this process is
  // running even after its file was rebuilt or removed, so one sweep never mixes two builds.
  std::string worker_binary;
};

}  // namespace wei::cli
