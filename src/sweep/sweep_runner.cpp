#include "sweep/sweep_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include "base/atomic_file.h"
#include "base/device.h"
#include "base/errors.h"
#include "base/stop_signals.h"
#include "run/progress.h"
#include "run/run_files.h"
#include "spec/common_options.h"
#include "spec/spec_loader.h"
#include "sweep/slurm_script.h"

namespace wei {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

constexpr int kSweepSchemaVersion = 1;

std::string point_status(const RunFiles& files) {
  const auto status = files.recorded_status();
  if (status) return *status;
  return files.has_checkpoint() ? "interrupted" : "pending";
}

// Validates every point; all problems of all points are reported together.
std::string validate_points(const SweepOptions& options, const SweepPlan& plan, const TrainerRegistry& registry) {
  std::vector<std::string> diagnostics;
  std::string name;
  for (const auto& point : plan.points) {
    try {
      const Spec spec = load_spec(options.spec_path, point.overrides, registry);
      if (name.empty()) name = common_options_schema().bind(spec).name;
    } catch (const SpecError& e) {
      for (const auto& d : e.diagnostics()) diagnostics.push_back("point " + point.dir_name + ": " + d);
    }
  }
  if (!diagnostics.empty()) throw SpecError(std::move(diagnostics));
  return name;
}

json plan_json(const SweepOptions& options, const SweepPlan& plan, const fs::path& root) {
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
    p["status"] = point_status(RunFiles(root / point.dir_name));
    points.push_back(p);
  }
  doc["points"] = points;
  return doc;
}

// sweep.json is shared by concurrent Slurm tasks: every update rereads the statuses under a lock.
void write_sweep_json(const SweepOptions& options, const SweepPlan& plan, const fs::path& root) {
  const fs::path lock_path = root / ".sweep.lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT, 0644);
  if (fd >= 0) ::flock(fd, LOCK_EX);
  write_file_atomic(root / "sweep.json", plan_json(options, plan, root).dump(2) + "\n");
  if (fd >= 0) {
    ::flock(fd, LOCK_UN);
    ::close(fd);
  }
}

// A root holding another sweep's points is refused, so directories are never mixed up.
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
  if (signature(existing) != signature(planned) || existing.value("spec", "") != planned["spec"]) {
    throw InputError(root.string() + ": holds another sweep (other spec or points); choose another --out");
  }
}

struct Worker {
  pid_t pid;
  size_t point;
  std::chrono::steady_clock::time_point started;
};

pid_t launch_point(const SweepOptions& options, const SweepPoint& point, const fs::path& root, NextStep step,
                   int threads) {
  std::vector<std::string> args = {options.self_binary, "run", options.spec_path};
  args.insert(args.end(), point.overrides.begin(), point.overrides.end());
  args.push_back("--out");
  args.push_back((root / point.dir_name).string());
  if (step == NextStep::kResume) args.push_back("--resume");
  if (step == NextStep::kRestart) args.push_back("--force");
  const fs::path log_path = root / "logs" / (std::to_string(point.index) + ".log");
  const pid_t pid = fork();
  if (pid < 0) throw RunError("cannot start a worker process");
  if (pid == 0) {
    setpgid(0, 0);  // a terminal's Ctrl-C reaches the coordinator only, which forwards one SIGINT
    // Until the run installs its handlers, a forwarded stop signal waits (pending) instead of killing it.
    const sigset_t stop_signals = stop_signal_set();
    sigprocmask(SIG_BLOCK, &stop_signals, nullptr);
    const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
    }
    setenv("WEI_THREADS", std::to_string(threads).c_str(), 1);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(options.self_binary.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

// Runs `todo` points with up to `jobs` workers; returns each point's final status.
std::map<size_t, std::string> run_local(const SweepOptions& options, const SweepPlan& plan, const fs::path& root,
                                        const std::vector<size_t>& todo, int jobs) {
  const int threads = std::max(1, resolve_threads(0) / jobs);
  std::map<size_t, std::string> results;
  std::vector<Worker> running;
  size_t next = 0;
  bool forwarded = false;
  size_t finished = 0;
  const ScopedStopHandlers stop_handlers;
  while (next < todo.size() || !running.empty()) {
    if (stop_requested() && !forwarded) {
      for (const auto& w : running) kill(w.pid, SIGINT);
      forwarded = true;
    }
    while (!stop_requested() && next < todo.size() && static_cast<int>(running.size()) < jobs) {
      const SweepPoint& point = plan.points[todo[next++]];
      const RunFiles files(root / point.dir_name);
      running.push_back({launch_point(options, point, root, next_step(files), threads), point.index,
                         std::chrono::steady_clock::now()});
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
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - it->started).count();
    std::string result = point_status(RunFiles(root / point.dir_name));
    if (result == "pending") result = "failed";  // the worker died before writing metrics.json
    results[point.index] = result;
    running.erase(it);
    ++finished;
    std::cerr << "[" << finished << "/" << todo.size() << "] " << point.dir_name << ": " << result << " ("
              << format_duration(seconds) << ")";
    if (result == "failed") std::cerr << ", see " << (root / "logs" / (std::to_string(point.index) + ".log")).string();
    std::cerr << "\n";
    write_sweep_json(options, plan, root);
  }
  for (size_t i = next; i < todo.size(); ++i) results[plan.points[todo[i]].index] = "interrupted";
  return results;
}

std::string utc_stamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%d-%H%M%S", &tm);
  return buf;
}

}  // namespace

int run_sweep(const SweepOptions& options, const TrainerRegistry& registry) {
  const SweepPlan plan = make_sweep_plan(options.spec_path, options.args, options.mode);
  const std::string name = validate_points(options, plan, registry);
  if (options.index && *options.index >= plan.points.size()) {
    throw InputError("--index " + std::to_string(*options.index) + " is out of range: the sweep has " +
                     std::to_string(plan.points.size()) + " points");
  }
  if (options.launcher != "local" && options.launcher != "slurm") {
    throw InputError("--launcher '" + options.launcher + "' must be local or slurm");
  }
  if (options.jobs < 1) throw InputError("--jobs must be >= 1");
  const fs::path root = options.out_dir ? fs::path(*options.out_dir) : fs::path("results") / name / ("sweep-" + utc_stamp());
  check_root(root, plan_json(options, plan, root));

  std::error_code ec;
  fs::create_directories(root / "logs", ec);
  if (ec) throw RunError("cannot create sweep directory " + root.string() + ": " + ec.message());
  write_sweep_json(options, plan, root);

  if (options.launcher == "slurm" && !options.index) {
    SweepOptions slurm_options = options;
    slurm_options.slurm = options.slurm.merged_over(plan.slurm);
    return submit_slurm_array(slurm_options, plan.points.size(), root);
  }

  std::vector<size_t> todo;
  size_t skipped = 0;
  for (const auto& point : plan.points) {
    if (options.index && point.index != *options.index) continue;
    if (next_step(RunFiles(root / point.dir_name)) == NextStep::kKeep) {
      ++skipped;
      continue;
    }
    todo.push_back(point.index);
  }
  std::cerr << "sweep " << root.string() << ": " << plan.points.size() << " point(s), " << todo.size()
            << " to run, " << skipped << " already finished\n";
  const auto results = run_local(options, plan, root, todo, options.index ? 1 : options.jobs);

  int exit_code = 0;
  for (const auto& point : plan.points) {
    if (options.index && point.index != *options.index) continue;
    const std::string status = point_status(RunFiles(root / point.dir_name));
    if (status == "interrupted" || (results.count(point.index) && results.at(point.index) == "interrupted")) return 130;
    if (status != "ok") exit_code = 1;
  }
  return exit_code;
}

}  // namespace wei
