#include "sweep/sweep_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include "base/clipped_text.h"
#include "base/directory_lock.h"
#include "base/world_info.h"
#include "base/durable_file.h"
#include "base/memory_info.h"
#include "base/device.h"
#include "base/errors.h"
#include "base/exit_codes.h"
#include "base/stop_signals.h"
#include "base/stopwatch.h"
#include "base/utc_time.h"
#include "train/checkpoint_file.h"
#include "run/progress.h"
#include "run/run_files.h"
#include "run/worker_process.h"
#include "spec/common_options.h"
#include "spec/spec_loader.h"
#include "sweep/slurm_script.h"

namespace wei {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

constexpr int kSweepSchemaVersion = 1;

// What this coordinator learned of a point that its run files cannot say (a worker killed by a
// signal, a checkpoint that fails its verification).
struct PointOutcome {
  std::string status;
  std::string error;
};
using Outcomes = std::map<size_t, PointOutcome>;

std::string point_status(const RunFiles& files) {
  const auto status = files.recorded_status();
  if (status) return *status;
  return files.has_checkpoint() ? "interrupted" : "pending";
}

// Validates every point; all problems are reported together, and a problem that every point has
// (a bad fixed override, a bad base spec) once rather than once per point.
std::string validate_points(const SweepOptions& options, const SweepPlan& plan, const TrainerRegistry& registry) {
  std::vector<std::pair<std::string, std::vector<std::string>>> problems;  // message -> points, in order seen
  std::string name;
  for (const auto& point : plan.points) {
    try {
      const Spec spec = load_spec(options.spec_path, point.overrides, registry,
                                  options.strict ? UnreadKeys::kRefuse : UnreadKeys::kWarn);
      if (name.empty()) name = common_options_schema().bind(spec).name;
    } catch (const SpecError& e) {
      for (const auto& d : e.diagnostics()) {
        auto it = std::find_if(problems.begin(), problems.end(), [&](const auto& p) { return p.first == d; });
        if (it == problems.end()) it = problems.insert(problems.end(), {d, {}});
        it->second.push_back(point.dir_name);
      }
    }
  }
  if (problems.empty()) return name;
  std::vector<std::string> diagnostics;
  for (const auto& [message, points] : problems) {
    if (points.size() == plan.points.size() && plan.points.size() > 1) {
      diagnostics.push_back(message + " (every point)");
    } else {
      for (const auto& point : points) diagnostics.push_back("point " + clipped(point) + ": " + message);
    }
  }
  throw SpecError(std::move(diagnostics));
}

json plan_json(const SweepOptions& options, const SweepPlan& plan, const fs::path& root, const Outcomes& outcomes) {
  json doc;
  doc["schema_version"] = kSweepSchemaVersion;
  doc["spec"] = fs::absolute(options.spec_path).string();
  doc["mode"] = plan.mode == SweepMode::kGrid ? "grid" : "zip";
  json axes = json::object();
  for (const auto& axis : plan.axes) axes[axis.path] = axis.values;
  doc["axes"] = axes;
  doc["fixed_overrides"] = plan.fixed_overrides;
  json points = json::array();
  for (const auto& point : plan.points) {
    json p;
    p["index"] = point.index;
    p["dir"] = point.dir_name;
    p["overrides"] = point.overrides;
    const auto outcome = outcomes.find(point.index);
    p["status"] = outcome != outcomes.end() ? outcome->second.status : point_status(RunFiles(root / point.dir_name));
    if (outcome != outcomes.end() && !outcome->second.error.empty()) p["error"] = outcome->second.error;
    points.push_back(p);
  }
  doc["points"] = points;
  return doc;
}

// sweep.json is shared by concurrent Slurm tasks: every update rereads the statuses under a lock.
void write_sweep_json(const SweepOptions& options, const SweepPlan& plan, const fs::path& root,
                      const Outcomes& outcomes) {
  const fs::path lock_path = root / ".sweep.lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0) ::flock(fd, LOCK_EX);
  try {
    write_file_durably(root / "sweep.json", plan_json(options, plan, root, outcomes).dump(2) + "\n");
  } catch (...) {
    if (fd >= 0) ::close(fd);
    throw;
  }
  if (fd >= 0) ::close(fd);
}

// A root holding another sweep's points is refused, so directories are never mixed up. A sweep
// that extends the one there is accepted: same spec, and the existing points come first in the
// plan, each with the same directory and overrides (seed=range(0,5), then seed=range(0,20)), so
// their indices, logs/<index>.log and Slurm array indices keep meaning the same point.
void check_root(const fs::path& root, const json& planned) {
  std::ifstream in(root / "sweep.json");
  if (!in) return;
  json existing;
  try {
    existing = json::parse(in);
  } catch (const json::exception&) {
    throw InputError((root / "sweep.json").string() + ": not valid JSON");
  }
  const auto signature = [](const json& doc) {
    json s = json::array();
    for (const auto& p : doc.value("points", json::array())) s.push_back({p.value("dir", ""), p.value("overrides", json())});
    return s;
  };
  const json before = signature(existing);
  const json now = signature(planned);
  const bool extends = before.size() <= now.size() && std::equal(before.begin(), before.end(), now.begin());
  if (!extends || existing.value("spec", "") != planned["spec"]) {
    throw InputError(root.string() + ": holds another sweep (other spec or points; a rerun may only add points after " +
                     "the existing ones); choose another --out");
  }
}

struct Worker {
  pid_t pid;
  size_t point;
  Stopwatch since_launch;
  std::optional<long> oom_kills_before;  // the cgroup's OOM kill count when it started
};

pid_t launch_point(const SweepOptions& options, const SweepPoint& point, const fs::path& root, NextStep step,
                   int threads) {
  std::vector<std::string> args = {options.self_binary, "run", options.spec_path};
  args.insert(args.end(), point.overrides.begin(), point.overrides.end());
  args.push_back("--out");
  args.push_back((root / point.dir_name).string());
  if (step == NextStep::kResume) args.push_back("--resume");
  if (step == NextStep::kRestart) args.push_back("--force");
  if (options.strict) args.push_back("--strict");
  WorkerSpec worker;
  worker.binary = options.worker_binary;
  worker.argv = std::move(args);
  worker.env = {{"WEI_THREADS", std::to_string(threads)}};
  worker.log = root / "logs" / (std::to_string(point.index) + ".log");
  return start_worker(worker);
}

const char* signal_name(int signal) {
  switch (signal) {
    case SIGKILL: return "SIGKILL";
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGHUP: return "SIGHUP";
    case SIGPIPE: return "SIGPIPE";
    default: return "a signal";
  }
}

// The status of a point whose worker has ended with wait status `wait_status`. Only a stop that
// was asked for (the run exits 130 after checkpointing) is "interrupted"; a worker killed by a signal
// it did not handle (the out-of-memory killer, a crash) has failed.
PointOutcome outcome_of(int wait_status, const RunFiles& files, const Worker& worker) {
  if (WIFSIGNALED(wait_status)) {
    const int signal = WTERMSIG(wait_status);
    std::string error = std::string("the worker was killed by ") + signal_name(signal) + " (signal " +
                        std::to_string(signal) + ")";
    const auto oom_after = oom_kill_count();
    if (signal == SIGKILL && worker.oom_kills_before && oom_after && *oom_after > *worker.oom_kills_before) {
      error += ": out of memory (the kernel's OOM killer)";
    }
    return {"failed", error + "; its last checkpoint is kept"};
  }
  const int code = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 1;
  if (code == kExitBusy) return {"failed", "its run directory is in use by another command"};
  const std::string status = point_status(files);
  if (status == "pending" || (code != kExitOk && code != kExitInterrupted && status == "interrupted")) {
    return {"failed", "the worker exited with code " + std::to_string(code) + " before recording a result"};
  }
  return {status, ""};
}

struct LocalResult {
  Outcomes outcomes;
  bool interrupted = false;
};

// Runs `todo` points with up to `jobs` workers. A stop request (Ctrl-C, SIGTERM) is forwarded once
// to every worker; points not started stay pending. A sweep.json that cannot be written stops the
// workers the same way before the error is passed on.
LocalResult run_local(const SweepOptions& options, const SweepPlan& plan, const fs::path& root,
                      const std::vector<size_t>& todo, int jobs, Outcomes outcomes) {
  // The cores of this coordinator (its rank's share when srun runs each point on several tasks),
  // split between its workers.
  const int cores = std::getenv("WEI_THREADS") ? resolve_threads(0) : usable_cores_per_rank(detect_world(process_environment()));
  const int threads = std::max(1, cores / jobs);
  LocalResult result;
  std::vector<Worker> running;
  size_t next = 0;
  bool forwarded = false;
  size_t finished = 0;
  std::optional<WriteError> write_failure;
  const ScopedStopHandlers stop_handlers;
  const auto stopping = [&] { return stop_requested() || write_failure.has_value(); };
  while ((!stopping() && next < todo.size()) || !running.empty()) {
    if (stopping() && !forwarded) {
      for (const auto& w : running) kill(w.pid, SIGINT);
      forwarded = true;
    }
    while (!stopping() && next < todo.size() && static_cast<int>(running.size()) < jobs) {
      const SweepPoint& point = plan.points[todo[next++]];
      const RunFiles files(root / point.dir_name);
      const auto oom_before = oom_kill_count();
      running.push_back({launch_point(options, point, root, next_step(files), threads), point.index,
                         Stopwatch(), oom_before});
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    const auto it = std::find_if(running.begin(), running.end(), [&](const Worker& w) { return w.pid == pid; });
    if (it == running.end()) continue;
    const SweepPoint& point = plan.points[it->point];
    const double seconds = it->since_launch.seconds();
    const PointOutcome outcome = outcome_of(status, RunFiles(root / point.dir_name), *it);
    if (!outcome.error.empty()) outcomes[point.index] = outcome;
    if (outcome.status == "interrupted") result.interrupted = true;
    running.erase(it);
    ++finished;
    std::cerr << "[" << finished << "/" << todo.size() << "] " << point.dir_name << ": " << outcome.status << " ("
              << format_duration(seconds) << ")";
    if (!outcome.error.empty()) std::cerr << ": " << outcome.error;
    if (outcome.status == "failed") std::cerr << ", see " << (root / "logs" / (std::to_string(point.index) + ".log")).string();
    std::cerr << "\n";
    if (write_failure) continue;
    try {
      write_sweep_json(options, plan, root, outcomes);
    } catch (const WriteError& e) {
      std::cerr << "sweep: " << e.what() << "; stopping the workers (each keeps its checkpoint)\n";
      write_failure = e;
    }
  }
  if (write_failure) throw *write_failure;
  result.interrupted = result.interrupted || stop_requested();
  result.outcomes = std::move(outcomes);
  return result;
}

}  // namespace

int run_sweep(const SweepOptions& options, const TrainerRegistry& registry) {
  if (options.launcher != "local" && options.launcher != "slurm") {
    throw InputError("--launcher '" + options.launcher + "' must be local or slurm");
  }
  if (options.jobs < 1) throw InputError("--jobs must be >= 1");
  const SweepPlan plan = make_sweep_plan(options.spec_path, options.args, options.mode, options.max_points);
  const std::string name = validate_points(options, plan, registry);
  if (options.index && *options.index >= plan.points.size()) {
    throw InputError("--index " + std::to_string(*options.index) + " is out of range: the sweep has " +
                     std::to_string(plan.points.size()) + " points");
  }
  const fs::path root = options.out_dir ? fs::path(*options.out_dir)
                                        : fs::path("results") / name / ("sweep-" + utc_timestamp(kUtcCompactFormat));
  // One coordinator per root; the array tasks of one Slurm sweep share it, each locking its point.
  DirectoryLock lock(root, options.index ? DirectoryLock::Mode::kShared : DirectoryLock::Mode::kExclusive,
                     "wei-run sweep " + options.spec_path);
  try {
    check_root(root, plan_json(options, plan, root, {}));
  } catch (...) {
    lock.discard_if_created();
    throw;
  }
  remove_stale_temp_files(root);

  std::error_code ec;
  fs::create_directories(root / "logs", ec);
  if (ec) throw WriteError(root / "logs", ec.value(), "creating the log folder");
  Outcomes outcomes;
  std::vector<size_t> todo;
  size_t skipped = 0;
  for (const auto& point : plan.points) {
    if (options.index && point.index != *options.index) continue;
    const RunFiles files(root / point.dir_name);
    switch (next_step(files)) {
      case NextStep::kKeep: ++skipped; break;
      case NextStep::kCorrupt:
        outcomes[point.index] = {"failed", checkpoint_problem(files.checkpoint_path()) +
                                               "; not resumed (rerun the point with wei-run run ... --out " +
                                               files.dir().string() + " after moving prev.pt into place, or --force)"};
        break;
      default: todo.push_back(point.index);
    }
  }
  write_sweep_json(options, plan, root, outcomes);

  if (options.launcher == "slurm" && !options.index) {
    SweepOptions slurm_options = options;
    slurm_options.slurm = options.slurm.merged_over(plan.slurm);
    return submit_slurm_array(slurm_options, plan.points.size(), root);
  }

  std::cerr << "sweep " << root.string() << ": " << plan.points.size() << " point(s), " << todo.size()
            << " to run, " << skipped << " already finished";
  if (!outcomes.empty()) std::cerr << ", " << outcomes.size() << " with a corrupt checkpoint (not run)";
  std::cerr << "\n";
  const LocalResult result = run_local(options, plan, root, todo, options.index ? 1 : options.jobs, outcomes);
  if (result.interrupted) return kExitInterrupted;

  int exit_code = kExitOk;
  for (const auto& point : plan.points) {
    if (options.index && point.index != *options.index) continue;
    const auto outcome = result.outcomes.find(point.index);
    const std::string status =
        outcome != result.outcomes.end() ? outcome->second.status : point_status(RunFiles(root / point.dir_name));
    if (status == "io_error") exit_code = std::max(exit_code, kExitIoError);
    if (status != "ok" && exit_code == kExitOk) exit_code = kExitFailed;
  }
  return exit_code;
}

}  // namespace wei
