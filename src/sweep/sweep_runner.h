#pragma once
// Runs a sweep: validates every point before anything runs, lays out the sweep root
//   <root>/sweep.json          points -> overrides, directory, status (rewritten atomically)
//   <root>/<point dir>/        one ordinary run directory per point
//   <root>/logs/<index>.log    each point's console output
// and runs the points with the local launcher (parallel worker processes) or hands them to Slurm.
// Re-running the same sweep on the same root skips finished points and resumes interrupted ones.
#include <optional>
#include <string>
#include <vector>

#include "train/registry.h"
#include "sweep/sweep_plan.h"

namespace wei {

struct SweepOptions {
  std::string spec_path;
  std::vector<std::string> args;  // key=v1,v2 axes and key=value fixed overrides
  std::string mode;               // "", "grid" or "zip"
  std::optional<std::string> out_dir;
  int jobs = 1;
  std::optional<size_t> index;  // run only this point (a Slurm array task)
  std::string launcher = "local";
  SlurmOptions slurm;
  std::string self_binary;  // the wei-run executable workers run
  size_t max_points = kDefaultMaxSweepPoints;
  bool strict = false;  // a key a point's method does not read is an error, not a warning (--strict)
};

// Returns the exit code: 0 every point ok; 1 some point failed or diverged; 3 a point (or sweep.json)
// could not be written; 130 interrupted. Throws InputError/SpecError (exit 2) before anything is
// written when any point is invalid, BusyError (exit 4) when another sweep holds the root, and
// WriteError (exit 3) when sweep.json cannot be written (after stopping the workers cleanly).
int run_sweep(const SweepOptions& options, const TrainerRegistry& registry);

}  // namespace wei
