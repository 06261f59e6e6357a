#pragma once
// What `wei-run run` may do with what its --out directory already holds: start, resume, start over
// (--force), keep a finished run (--continue), or refuse. Called with the directory locked.
#include <optional>
#include <string>

#include <spdlog/logger.h>

#include "run/run_files.h"
#include "spec/spec.h"

namespace wei {

struct OutDirRequest {
  bool resume = false;
  bool force = false;
  bool continue_run = false;
};

enum class OutDirAction { kStart, kResume, kRestart, kKeep };

// Decides; throws InputError (or CheckpointError) for a refused case, naming the directory and what
// to do instead. --continue resolves to one of the other actions (next_step's rule); a kept run
// returns kKeep after checking that its spec is the same.
OutDirAction decide_out_dir(const RunFiles& files, const Spec& spec, const OutDirRequest& request, spdlog::logger& log);

// A run directory is only ever continued or kept under the spec it was started with; `what` names
// the refused action ("resume", "continue it").
void require_saved_spec(const RunFiles& files, const Spec& spec, const char* what);

// What a user does about a checkpoint that fails its verification: go back one epoch with prev.pt
// (when that one verifies) or start over.
std::string corrupt_checkpoint_advice(const RunFiles& files);

}  // namespace wei
