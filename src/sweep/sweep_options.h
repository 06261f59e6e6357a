#pragma once
// What `wei-run sweep` was asked to do: the spec, the axes and overrides, where the sweep root is and
// how the points are launched. Read by the sweep runner (sweep_runner.h) and the Slurm launcher
// (slurm_script.h).
#include <optional>
#include <string>
#include <vector>

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
  std::string self_binary;    // the wei-run executable's path, for Slurm scripts
  std::string worker_binary;  // what local workers exec (cli/environment.h)
  size_t max_points = kDefaultMaxSweepPoints;
  bool strict = false;  // a key a point's method does not read is an error, not a warning (--strict)
};

}  // namespace wei
