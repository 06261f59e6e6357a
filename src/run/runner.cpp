#include "run/runner.h"

#include <unistd.h>

#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <torch/utils.h>
#include <torch/version.h>

#include "base/directory_lock.h"
#include "base/durable_file.h"
#include "base/build_info.h"
#include "base/cpu_info.h"
#include "base/device.h"
#include "base/errors.h"
#include "base/fault_injection.h"
#include "base/stop_signals.h"
#include "base/stopwatch.h"
#include "run/checkpoint_file.h"
#include "run/out_dir_rules.h"
#include "run/progress.h"
#include "run/run_files.h"
#include "spec/common_options.h"
#include "spec/spec_loader.h"
#include "train/checkpoint_bundle.h"
#include "train/data_parallel.h"

namespace wei {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

const char* status_name(RunStatus status) {
  switch (status) {
    case RunStatus::kOk: return "ok";
    case RunStatus::kFailed: return "failed";
    case RunStatus::kDiverged: return "diverged";
    case RunStatus::kInterrupted: return "interrupted";
    case RunStatus::kIoError: return "io_error";
  }
  return "failed";
}

namespace {

// Log messages kept until log.txt exists; a run logs a handful before that.
constexpr size_t kEarlyLogMessages = 256;

std::string utc_timestamp(const char* format) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), format, &tm);
  return buf;
}

std::string host_name() {
  char buf[256] = {0};
  return gethostname(buf, sizeof(buf) - 1) == 0 ? std::string(buf) : "unknown";
}

// Locks --out, or creates and locks results/<name>/<UTC timestamp> (-2, -3 ... when several runs
// start in the same second: a directory another command created meanwhile is passed over).
std::unique_ptr<DirectoryLock> lock_out_dir(const std::optional<std::string>& out_dir, const std::string& name,
                                            const std::string& holder, fs::path& dir) {
  if (out_dir) {
    dir = *out_dir;
    return std::make_unique<DirectoryLock>(dir, DirectoryLock::Mode::kExclusive, holder);
  }
  const fs::path base = fs::path("results") / name / utc_timestamp("%Y%m%d-%H%M%S");
  for (int i = 1;; ++i) {
    dir = i == 1 ? base : fs::path(base.string() + "-" + std::to_string(i));
    if (fs::exists(dir)) continue;
    auto lock = std::make_unique<DirectoryLock>(dir, DirectoryLock::Mode::kExclusive, holder);
    if (lock->created()) return lock;
  }
}

// The command that takes this run on from wherever it stopped (--continue decides what to do).
std::string continue_command(const RunOptions& options, const fs::path& dir) {
  const WorldInfo& world = options.world;
  std::string command = world.launcher == "slurm" ? "srun -n " + std::to_string(world.world_size) + " wei-run run "
                                                  : "wei-run run ";
  command += options.spec_path;
  for (const auto& o : options.overrides) command += " '" + o + "'";
  command += " --out " + dir.string() + " --continue";
  if (world.launcher == "torchrun") command += " --nproc " + std::to_string(world.world_size);
  return command;
}

// Console output goes to stderr (coloured on a terminal), or to `stream` for in-process callers.
std::shared_ptr<spdlog::logger> make_logger(std::ostream* stream, const WorldInfo& world) {
  spdlog::sink_ptr console;
  if (stream) {
    console = std::make_shared<spdlog::sinks::ostream_sink_mt>(*stream, /*force_flush=*/true);
  } else {
    console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  }
  // The ranks of a data-parallel run share a console: each line says whose it is.
  console->set_pattern(world.distributed() ? "[%H:%M:%S] [rank " + std::to_string(world.rank) + "] %^%l%$ %v"
                                           : "[%H:%M:%S] %^%l%$ %v");
  auto logger = std::make_shared<spdlog::logger>("wei-run", console);
  logger->set_level(spdlog::level::info);
  logger->flush_on(spdlog::level::info);
  return logger;
}

struct RunnerState {
  int64_t epochs_done = 0;
  std::vector<json> history;
  json best = json::object();
  json epoch_timing = json::array();  // volatile: ends up under metrics.json "run"
  int64_t threads = 0;                // torch's thread count: a resume keeps it (same arithmetic)
};

// The runner's part of every checkpoint, beside the trainer's.
void register_runner_state(CheckpointBundle& bundle, RunnerState& state) {
  bundle.add_json(
      "runner",
      [&state] {
        json doc;
        doc["epochs_done"] = state.epochs_done;
        doc["history"] = state.history;
        doc["best"] = state.best;
        doc["epoch_timing"] = state.epoch_timing;
        doc["threads"] = state.threads;
        return doc;
      },
      [&state](const json& doc) {
        state.epochs_done = doc.at("epochs_done").get<int64_t>();
        state.history.assign(doc.at("history").begin(), doc.at("history").end());
        state.best = doc.at("best");
        state.epoch_timing = doc.at("epoch_timing");
        state.threads = doc.at("threads").get<int64_t>();
      });
}

void update_best(json& best, const json& row, const HeadlineMetric& headline) {
  if (!row.contains(headline.key) || !row[headline.key].is_number()) return;
  const double value = row[headline.key].get<double>();
  const bool better = !best.contains(headline.key) ||
                      (headline.lower_is_better ? value < best[headline.key].get<double>()
                                                : value > best[headline.key].get<double>());
  if (better) {
    best = json::object();
    best[headline.key] = value;
    best["epoch"] = row["epoch"];
  }
}

// Threads of one rank: the spec's, else WEI_THREADS (set by a sweep for its workers), else the
// rank's share of the cores.
int rank_threads(int64_t requested, const WorldInfo& world) {
  if (requested > 0 || std::getenv("WEI_THREADS")) return resolve_threads(requested);
  return usable_cores_per_rank(world);
}

std::string one_process_only(const std::string& trainer, int world_size) {
  return "trainer " + trainer + " with this spec runs in one process: it is closed-form or full-batch, with no " +
         "mini-batch steps to share between ranks; a world size of " + std::to_string(world_size) +
         " was asked for (--nproc, srun -n or RANK/WORLD_SIZE)";
}

// Rank 0's decision about the run directory, sent to the other ranks: "keep <status>", "start",
// "resume" or "restart", then the directory; "! <message>" when rank 0 refused the run.
std::string encode_decision(OutDirAction action, const RunFiles& files, const fs::path& dir) {
  std::string word = "start";
  if (action == OutDirAction::kKeep) word = "keep " + *files.recorded_status();
  if (action == OutDirAction::kResume) word = "resume";
  if (action == OutDirAction::kRestart) word = "restart";
  return word + "\n" + dir.string();
}

OutDirAction decode_decision(const std::string& text, fs::path& dir, std::string& kept_status) {
  if (text.rfind("! ", 0) == 0) throw InputError("rank 0 refused the run: " + text.substr(2));
  const size_t newline = text.find('\n');
  const std::string word = text.substr(0, newline);
  dir = text.substr(newline + 1);
  if (word.rfind("keep ", 0) == 0) {
    kept_status = word.substr(5);
    return OutDirAction::kKeep;
  }
  if (word == "resume") return OutDirAction::kResume;
  if (word == "restart") return OutDirAction::kRestart;
  return OutDirAction::kStart;
}

}  // namespace

RunResult run_experiment(const RunOptions& options, const TrainerRegistry& registry) {
  // From the first instruction on, a stop signal is noted rather than killing the process, so even a
  // run stopped while it loads its data ends with status "interrupted" (or no trace at all).
  reset_stop_request();
  const ScopedStopHandlers stop_handlers;
  const Stopwatch wall_timer;
  const std::string started_at = utc_timestamp("%Y-%m-%dT%H:%M:%SZ");

  // --- Up to files.create(), bad input and interrupts leave no trace. ---
  const Spec spec = load_spec(options.spec_path, options.overrides, registry);
  const CommonOptions common = common_options_schema().bind(spec);
  const TrainerInfo& info = registry.get(common.trainer);
  if (options.resume && !options.out_dir) throw InputError("--resume needs --out DIR naming the run to continue");
  if (options.continue_run && !options.out_dir) throw InputError("--continue needs --out DIR naming the run");
  if (options.continue_run && (options.resume || options.force)) {
    throw InputError("--continue chooses between resuming and starting over itself; pass it without --resume "
                     "or --force");
  }
  const WorldInfo& world = options.world;
  auto log = make_logger(options.console, world);
  // What is logged before the run directory exists (the device choice, the trainer's data summary
  // and warnings) is kept here and written to log.txt first, once that file exists.
  auto early_log = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(kEarlyLogMessages);
  log->sinks().push_back(early_log);
  torch::Device device = resolve_device(common.device, *log);
  // Each rank of a machine takes its own GPU unless the spec names one.
  if (world.distributed() && device.is_cuda() && common.device.find(':') == std::string::npos) {
    device = torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(world.local_rank));
  }
  int threads = rank_threads(common.threads, world);
  torch::set_num_threads(threads);

  // A stop is the local signal, except while a data-parallel run trains: then it is the ranks'
  // agreement (train/data_parallel.h), so every rank stops after the same step.
  std::unique_ptr<DataParallel> group;
  bool collective_stops = false;
  const uint64_t seed = static_cast<uint64_t>(common.seed);
  const RunContext context{device, seed, *log, StopToken([&group, &collective_stops] {
                             return collective_stops ? group->stop_agreed() : stop_requested();
                           })};
  std::unique_ptr<Trainer> trainer = info.create(spec, context);
  if (world.distributed()) {
    if (!trainer->supports_data_parallel()) throw InputError(one_process_only(info.name, world.world_size));
    group = std::make_unique<DataParallel>(connect_collectives(world, device, options.collective_timeout), world.rank,
                                           world.world_size);
  }
  const ScopedDataParallel installed(group.get());
  const bool writer = !group || group->rank() == 0;

  fs::path dir;
  std::unique_ptr<DirectoryLock> lock;
  OutDirAction action = OutDirAction::kStart;
  std::string kept_status;
  try {
    if (writer) {
      lock = lock_out_dir(options.out_dir, common.name, "wei-run run " + options.spec_path, dir);
      const RunFiles files(dir);
      try {
        for (const auto& folder : {dir, dir / "checkpoints"}) {
          if (const int removed = remove_stale_temp_files(folder); removed > 0) {
            log->info("removed {} temporary file(s) left in {} by a killed process", removed, folder.string());
          }
        }
        action = decide_out_dir(files, spec, {options.resume, options.force, options.continue_run}, *log);
      } catch (...) {
        lock->discard_if_created();
        throw;
      }
      if (action == OutDirAction::kKeep) kept_status = *files.recorded_status();
      if (group) group->broadcast_text(encode_decision(action, files, dir));
    } else {
      action = decode_decision(group->broadcast_text(""), dir, kept_status);
    }
  } catch (const std::exception& e) {
    // The other ranks wait for rank 0's decision: tell them why there is none.
    if (group && writer) group->broadcast_text("! " + first_line(e.what()));
    throw;
  }
  if (action == OutDirAction::kKeep) {
    return {kept_status == "diverged" ? RunStatus::kDiverged : RunStatus::kOk, dir.string()};
  }
  const RunFiles files(dir);
  RunnerState state;
  CheckpointBundle bundle;
  try {
    trainer->prepare();
    inject_allocation();
    register_runner_state(bundle, state);
    trainer->register_state(bundle);
    if (action == OutDirAction::kResume) {
      torch::serialize::InputArchive archive;
      read_checkpoint(files.checkpoint_path(), archive);
      try {
        bundle.load(archive);
      } catch (const std::exception& e) {
        throw CheckpointError(files.checkpoint_path().string() + ": does not hold this run's state: " +
                              first_line(e.what()) + corrupt_checkpoint_advice(files));
      }
      if (common.threads == 0 && state.threads > 0 && state.threads != threads) {
        log->info("resuming with the {} thread(s) the run started with, not {}, so it ends as an uninterrupted run would",
                  state.threads, threads);
        threads = static_cast<int>(state.threads);
        torch::set_num_threads(threads);
      }
    }
    // Every rank starts (or resumes) from rank 0's parameters and buffers.
    if (group) group->broadcast(bundle.module_tensors());
  } catch (...) {
    if (lock) lock->discard_if_created();
    throw;
  }
  state.threads = threads;
  const bool resuming = action == OutDirAction::kResume;

  // --- From here on the run directory holds the run and every outcome is recorded in metrics.json. ---
  RunStatus status = RunStatus::kOk;
  std::string error;
  json final_block = json::object();
  json run;
  try {
    if (writer && action == OutDirAction::kRestart) files.remove_run_files();
    if (writer) files.create();
    if (writer) files.write_config(spec.to_yaml());
  } catch (const WriteError& e) {
    // Nothing of this run is on disk yet: leave the directory as the command found it.
    log->error("io_error: {}", e.what());
    files.remove_run_files();
    std::error_code ec;
    fs::remove(dir / "checkpoints", ec);  // only when empty
    lock->discard_if_created();
    return {RunStatus::kIoError, dir.string()};
  }
  if (!writer) {
    log->sinks().pop_back();  // only rank 0 writes log.txt; the others log to the console
  } else try {
    auto file_sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(files.log_path().string(), false);
    file_sink->set_pattern("[%Y-%m-%d %H:%M:%S] %l %v");
    for (const auto& message : early_log->last_raw()) file_sink->log(message);
    log->sinks().back() = file_sink;  // in place of early_log
  } catch (const spdlog::spdlog_ex& e) {
    log->sinks().pop_back();  // the run goes on with its console log only
    log->warn("cannot write {}: {}; the log goes to the console only", files.log_path().string(), e.what());
  }
  if (resuming) {
    std::vector<std::string> expected;
    for (const auto& row : state.history) expected.push_back(row.dump());
    if (writer && files.history_lines() != expected) {
      log->warn("{} did not match the checkpoint (a torn or extra line of a killed run); rewritten from it",
                files.history_path().string());
    }
    log->info("resuming {} from epoch {}/{}", dir.string(), state.epochs_done, trainer->num_epochs());
  } else {
    log->info("run {} -> {}", common.name, dir.string());
  }
  log->info("trainer {}, device {}, {} thread(s), seed {}", info.name, device.str(), threads, common.seed);
  if (group) {
    log->info("data-parallel: rank {} of {}, {} backend, launched by {}", group->rank(), group->world_size(),
              group->backend(), world.launcher);
  }

  run["id"] = dir.filename().string();
  run["started_at"] = started_at;
  run["finished_at"] = nullptr;
  run["wall_seconds"] = nullptr;
  run["host"] = host_name();
  run["git_commit"] = build_info::kGitCommit;
  run["wei_run_version"] = WEI_RUN_VERSION;
  run["torch_version"] = TORCH_VERSION;
  run["device"] = device.str();
  run["threads"] = threads;  // per rank
  run["world_size"] = world.world_size;
  run["backend"] = group ? json(group->backend()) : json(nullptr);
  run["launcher"] = world.launcher;
  run["cpu"] = cpu_info_json(host_cpu());
  run["argv"] = options.argv;
  run["resumed_from_epoch"] = resuming ? json(state.epochs_done) : json(nullptr);

  const HeadlineMetric headline = trainer->headline();
  const int64_t total = trainer->num_epochs();
  std::vector<double> epoch_costs;
  for (int64_t e = 0; e < total; ++e) epoch_costs.push_back(trainer->epoch_cost(e));
  ProgressReporter progress(*log, std::move(epoch_costs), state.epochs_done, options.live_progress && writer,
                            headline.key);
  try {
    if (writer) files.rewrite_history(state.history);
    collective_stops = group != nullptr;
    for (int64_t epoch = state.epochs_done; epoch < total && !trainer->done_early(); ++epoch) {
      if (group ? group->agree_stop(stop_requested()) : stop_requested()) throw InterruptedError();
      const Stopwatch epoch_timer;
      json row;
      row["epoch"] = epoch + 1;
      row.update(trainer->train_epoch(epoch));
      json timing;
      timing["epoch"] = epoch + 1;
      timing["seconds"] = epoch_timer.seconds();
      if (row.contains("timing")) {
        timing.update(row["timing"]);
        row.erase("timing");
      }
      if (group) timing["allreduce_seconds"] = group->take_communication_seconds();
      if (const std::string bad = first_non_finite(row); !bad.empty()) {
        throw DivergedError(epoch + 1, "non-finite " + bad + " in epoch " + std::to_string(epoch + 1));
      }
      const RunnerState committed = state;  // what the checkpoint on disk holds, if this one fails
      state.history.push_back(row);
      state.epoch_timing.push_back(timing);
      state.epochs_done = epoch + 1;
      update_best(state.best, row, headline);
      try {
        if (writer) {
          torch::serialize::OutputArchive archive;
          bundle.save(archive);
          write_checkpoint(files.checkpoint_path(), files.previous_checkpoint_path(), archive);
        }
      } catch (const WriteError&) {
        state = committed;
        throw;
      }
      if (writer) files.append_history(row);
      progress.epoch_done(epoch, row);
    }
    final_block = trainer->final_metrics();
    if (const std::string bad = first_non_finite(final_block); !bad.empty()) {
      final_block = json::object();
      throw DivergedError(state.epochs_done, "non-finite final metric " + bad);
    }
  } catch (const InterruptedError&) {
    status = RunStatus::kInterrupted;
    error = "interrupted after epoch " + std::to_string(state.epochs_done) + "; continue with: " +
            continue_command(options, dir);
  } catch (const WriteError& e) {
    status = RunStatus::kIoError;
    error = std::string(e.what()) + "; the checkpoint of epoch " + std::to_string(state.epochs_done) +
            " is intact: once there is room, continue with: " + continue_command(options, dir);
  } catch (const DivergedError& e) {
    status = RunStatus::kDiverged;
    error = e.what();
    final_block["diverged_at_step"] = e.step();
  } catch (const std::exception& e) {
    status = RunStatus::kFailed;
    error = first_line(e.what());
  }
  progress.finish();

  const double wall = wall_timer.seconds();
  run["finished_at"] = utc_timestamp("%Y-%m-%dT%H:%M:%SZ");
  run["wall_seconds"] = wall;
  run["epoch_timing"] = state.epoch_timing;

  json metrics;
  metrics["schema_version"] = kMetricsSchemaVersion;
  metrics["status"] = status_name(status);
  metrics["run"] = run;
  metrics["spec"] = spec.to_json();
  metrics["data"] = trainer->data_info();
  metrics["history"] = state.history;
  metrics["final"] = final_block;
  metrics["best"] = state.best;
  metrics["error"] = error.empty() ? json(nullptr) : json(error);
  // The other ranks end once rank 0 has recorded the result, so that whoever waits for them (a
  // sweep, a job script) finds metrics.json written. Skipped after a failure: it may be the
  // collectives that failed.
  const auto wait_for_result = [&] {
    if (!group || status == RunStatus::kFailed) return;
    try {
      group->sum({0.0});
    } catch (const std::exception&) {
      // a rank that is gone has nothing left to wait for
    }
  };
  if (!writer) {
    wait_for_result();
    if (status == RunStatus::kOk) {
      log->info("done in {}; rank 0 writes {}", format_duration(wall), files.metrics_path().string());
    } else {
      log->error("{}: {}", status_name(status), error);
    }
    return RunResult{status, dir.string()};
  }
  try {
    files.write_metrics(metrics);
  } catch (const WriteError& e) {
    // The result cannot be recorded; the checkpoint can still finish it (--continue recomputes it).
    if (status != RunStatus::kOk) log->error("{}: {}", status_name(status), error);
    log->error("io_error: {}; continue with: {}", e.what(), continue_command(options, dir));
    wait_for_result();
    return {RunStatus::kIoError, dir.string()};
  }
  wait_for_result();

  if (status == RunStatus::kOk) {
    log->info("done in {}: {}", format_duration(wall), files.metrics_path().string());
  } else {
    log->error("{}: {}", status_name(status), error);
  }
  return RunResult{status, dir.string()};
}

void check_data_parallel_spec(const RunOptions& options, const TrainerRegistry& registry, int world_size) {
  const Spec spec = load_spec(options.spec_path, options.overrides, registry);
  const CommonOptions common = common_options_schema().bind(spec);
  const TrainerInfo& info = registry.get(common.trainer);
  spdlog::logger quiet("check", std::make_shared<spdlog::sinks::null_sink_mt>());
  const RunContext context{torch::Device(torch::kCPU), static_cast<uint64_t>(common.seed), quiet, StopToken()};
  if (!info.create(spec, context)->supports_data_parallel()) throw InputError(one_process_only(info.name, world_size));
}

}  // namespace wei
