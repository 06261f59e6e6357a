#pragma once
// A sweep = a base spec + axes of values for some keys, expanded into points (one run each).
//
// Axes come from the command line, `key=v1,v2,...` or `key=range(start, stop[, step])`, and/or from a
// `sweep:` block in the spec:
//   sweep:
//     mode: grid          # grid = cartesian product (default); zip = the i-th value of every axis
//     params:
//       optim.lr: [0.01, 0.05]
//       seed: range(0, 3)
//     slurm:              # optional defaults for --launcher slurm (flags take precedence)
//       partition: gpu
//       time: "02:00:00"
//       cpus: 4
//       gpus: "1"
//       mem: 16G
//       max_parallel: 8
// A command-line `key=value` with a single value is a fixed override applied to every point.
#include <string>
#include <vector>

namespace wei {

enum class SweepMode { kGrid, kZip };

struct SlurmOptions {
  std::string partition;
  std::string time;  // sbatch --time, e.g. "02:00:00"
  int cpus_per_task = 0;
  std::string gpus;  // sbatch --gpus, e.g. "1"
  std::string mem;   // sbatch --mem, e.g. "8G"
  int max_parallel = 0;  // the %K of --array; 0 = no limit
  // Tasks per point (sbatch --ntasks): above 1, each point runs data-parallel under `srun`, one
  // rank per task (base/world_info.h); 0 = one task.
  int tasks = 0;
  bool submit = true;    // false: only write the sbatch script

  // Fields set here win over those of `defaults`.
  SlurmOptions merged_over(const SlurmOptions& defaults) const;
};

struct SweepAxis {
  std::string path;
  std::vector<std::string> values;  // YAML text of each value, passed on as `path=value`
};

struct SweepPoint {
  size_t index = 0;
  std::vector<std::string> overrides;  // fixed overrides first, then one `path=value` per axis
  std::string dir_name;                // stable, from the axis values: "optim.lr=0.05,seed=1"
};

struct SweepPlan {
  SweepMode mode = SweepMode::kGrid;
  std::vector<SweepAxis> axes;
  std::vector<std::string> fixed_overrides;
  std::vector<SweepPoint> points;
  SlurmOptions slurm;  // from the sweep block's slurm map
};

// Splits "a,b,[1, 2]" at top-level commas; expands "range(0, 5)" / "range(0, 1, 0.25)".
// Throws InputError naming `origin` for a malformed value list.
std::vector<std::string> parse_axis_values(const std::string& text, const std::string& origin);

// Reads the spec's sweep block (if any), adds the command-line arguments, expands the points.
// `mode_override`: "grid", "zip" or "" (the block's mode, else grid). Throws InputError/SpecError,
// also for a plan of more than `max_points` points (counted before they are expanded).
inline constexpr size_t kDefaultMaxSweepPoints = 10000;
SweepPlan make_sweep_plan(const std::string& spec_path, const std::vector<std::string>& args,
                          const std::string& mode_override, size_t max_points = kDefaultMaxSweepPoints);

// Expands axes into points; zip requires every axis to have the same length (InputError).
std::vector<SweepPoint> expand_points(SweepMode mode, const std::vector<SweepAxis>& axes,
                                      const std::vector<std::string>& fixed_overrides);

// A file-system-safe directory name for a point's axis values ("base" when there are no axes).
std::string point_dir_name(const std::vector<std::pair<std::string, std::string>>& assignment);

}  // namespace wei
