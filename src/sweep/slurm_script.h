#pragma once
// The Slurm launcher: one job-array task per sweep point. Each task runs
//   wei-run sweep SPEC ARGS --out ROOT --index $SLURM_ARRAY_TASK_ID
// which validates the same plan and runs (or resumes) just that point. Tasks are requeue-safe:
// SIGTERM/SIGUSR1 (sbatch --signal, preemption) checkpoint the point and exit 130, and a requeued
// or resubmitted task resumes it from checkpoints/last.pt.
#include <filesystem>
#include <string>

#include "sweep/sweep_options.h"

namespace wei {

std::string slurm_array_script(const SweepOptions& options, size_t num_points, const std::filesystem::path& root);
// Writes ROOT/slurm/sweep.sbatch and, unless options.slurm.submit is false, submits it with
// sbatch (RunError when sbatch fails). Returns the exit code.
int submit_slurm_array(const SweepOptions& options, size_t num_points, const std::filesystem::path& root);

}  // namespace wei
