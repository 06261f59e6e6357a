#pragma once
// Runs a sweep: validates every point before anything runs, lays out the sweep root
//   <root>/sweep.json          points -> overrides, directory, status (rewritten atomically)
//   <root>/<point dir>/        one ordinary run directory per point
//   <root>/logs/<index>.log    each point's console output
// and runs the points with the local launcher (parallel worker processes) or hands them to Slurm.
// Re-running the same sweep on the same root skips finished points and resumes interrupted ones.
#include "sweep/sweep_options.h"
#include "train/registry.h"

namespace wei {

// Returns the exit code: 0 every point ok; 1 some point failed or diverged; 3 a point (or sweep.json)
// could not be written; 130 interrupted. Throws InputError/SpecError (exit 2) before anything is
// written when any point is invalid, BusyError (exit 4) when another sweep holds the root, and
// WriteError (exit 3) when sweep.json cannot be written (after stopping the workers cleanly).
int run_sweep(const SweepOptions& options, const TrainerRegistry& registry);

}  // namespace wei
