#pragma once
// Runs one experiment end to end: spec -> trainer -> run directory with metrics.json.
//
// Ordering contract: everything that can fail because of bad input (spec, device, data files,
// the --out/--resume state, a corrupt checkpoint) is checked before any run file is written, so an
// InputError (or a stop signal) before the start leaves nothing on disk: a directory the command
// created is removed again. The run directory is locked for the whole command (DirectoryLock): a
// second command on it fails at once with BusyError. A result file that cannot be written (disk
// full, I/O error) ends the run with status io_error and the last checkpoint intact.
#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "base/world_info.h"
#include "train/registry.h"

namespace wei {

struct RunOptions {
  std::string spec_path;
  std::vector<std::string> overrides;
  std::optional<std::string> out_dir;  // default results/<name>/<timestamp>
  bool resume = false;
  bool force = false;
  // Whatever --out holds decides (run/run_files.h next_step): a finished run (ok, diverged) is
  // kept and its status returned, an interrupted one resumed, any other leftover started over.
  bool continue_run = false;
  // A key the spec's method or setting does not read: an error (--strict), or a warning logged and
  // recorded in metrics.json "spec_warnings".
  bool strict = false;
  std::vector<std::string> argv;  // recorded in run.argv
  // Live progress line; plain log lines when false (not a terminal).
  bool live_progress = false;
  // Where console log lines go; nullptr: stderr (coloured on a terminal).
  std::ostream* console = nullptr;
  // This process's place in a data-parallel run (base/world_info.h); a world of one by default.
  // Rank 0 alone locks and writes the run directory; every rank trains (train/data_parallel.h),
  // and a resume loads rank 0's checkpoint on every rank.
  WorldInfo world;
  // How long a rank waits for the others (rendezvous, any collective) before failing.
  std::chrono::seconds collective_timeout{300};
};

enum class RunStatus { kOk, kFailed, kDiverged, kInterrupted, kIoError };

struct RunResult {
  RunStatus status;
  std::string dir;
};

// Throws InputError for bad input (nothing written). Failures after the start are reported in the
// returned status and in metrics.json, not thrown.
RunResult run_experiment(const RunOptions& options, const TrainerRegistry& registry);

const char* status_name(RunStatus status);

// Throws InputError (the spec's own errors, or a trainer that runs in one process only) unless the
// spec can run data-parallel over `world_size` ranks. The --nproc launcher checks this once before
// it starts its workers, so a bad spec gets one error rather than one per rank.
void check_data_parallel_spec(const RunOptions& options, const TrainerRegistry& registry, int world_size);

}  // namespace wei
