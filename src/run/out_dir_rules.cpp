#include "run/out_dir_rules.h"

#include <fstream>
#include <sstream>

#include "base/errors.h"
#include "train/checkpoint_file.h"

namespace wei {

void require_saved_spec(const RunFiles& files, const Spec& spec, const char* what) {
  std::ifstream in(files.config_path());
  std::stringstream saved;
  saved << in.rdbuf();
  if (saved.str() != spec.to_yaml()) {
    throw InputError(files.config_path().string() +
                     ": the resolved spec differs from the one this run was started with; " + what +
                     " with the same spec and overrides (compare with `wei-run validate`)");
  }
}

std::string corrupt_checkpoint_advice(const RunFiles& files) {
  const auto previous = files.previous_checkpoint_path();
  if (std::filesystem::exists(previous) && checkpoint_problem(previous).empty()) {
    return "; " + previous.string() + " holds the epoch before: `mv " + previous.string() + " " +
           files.checkpoint_path().string() + "` and resume to go back one epoch, or pass --force to start over";
  }
  return "; there is no verified earlier checkpoint: pass --force to start over";
}

namespace {

void require_resumable_checkpoint(const RunFiles& files) {
  if (!files.has_checkpoint()) {
    throw InputError(files.dir().string() + ": nothing to resume (no checkpoints/last.pt)");
  }
  if (const std::string problem = checkpoint_problem(files.checkpoint_path()); !problem.empty()) {
    throw CheckpointError(problem + corrupt_checkpoint_advice(files));
  }
}

bool resumable_status(const std::optional<std::string>& status) {
  return !status || *status == "interrupted" || *status == "io_error";
}

}  // namespace

OutDirAction decide_out_dir(const RunFiles& files, const Spec& spec, const OutDirRequest& request,
                            spdlog::logger& log) {
  if (request.continue_run) {
    switch (next_step(files)) {
      case NextStep::kKeep:
        require_saved_spec(files, spec, "continue it");
        log.info("{} already holds a finished run (status {}); kept", files.dir().string(), *files.recorded_status());
        return OutDirAction::kKeep;
      case NextStep::kResume:
        require_saved_spec(files, spec, "continue it");
        return OutDirAction::kResume;
      case NextStep::kRestart: return OutDirAction::kRestart;
      case NextStep::kFresh: return OutDirAction::kStart;
      case NextStep::kCorrupt:
        throw CheckpointError(checkpoint_problem(files.checkpoint_path()) + corrupt_checkpoint_advice(files));
    }
  }
  if (request.resume) {
    const auto status = files.recorded_status();
    if (!resumable_status(status)) {
      throw InputError(files.dir().string() + ": the run there already ended with status '" + *status +
                       "'; nothing to resume (use --force to run it again)");
    }
    require_resumable_checkpoint(files);
    require_saved_spec(files, spec, "resume");
    return OutDirAction::kResume;
  }
  if (!files.holds_run()) return OutDirAction::kStart;
  if (request.force) return OutDirAction::kRestart;
  const auto status = files.recorded_status();
  if (!resumable_status(status)) {
    throw InputError(files.dir().string() + ": holds a finished run (status '" + *status +
                     "'); choose another --out or pass --force to overwrite it");
  }
  throw InputError(files.dir().string() +
                   ": holds an unfinished run; pass --continue (or --resume) to continue it or --force to start over");
}

}  // namespace wei
