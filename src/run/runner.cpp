#include "run/runner.h"

#include <unistd.h>

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
#include "base/utc_time.h"
#include "train/checkpoint_file.h"
#include "run/out_dir_rules.h"
#include "run/progress.h"
#include "run/run_files.h"
#include "spec/common_options.h"
#include "spec/spec_loader.h"
#include "train/checkpoint_bundle.h"
#include "train/data_parallel.h"
#include "train/fit.h"

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
  const fs::path base = fs::path("results") / name / utc_timestamp(kUtcCompactFormat);
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

// One run of `wei-run run`, as a sequence of named steps; run_experiment() calls them in order.
class Run {
 public:
  Run(const RunOptions& options, const TrainerRegistry& registry);
  // Resolves the device and threads, builds the trainer and, in a data-parallel run, the group.
  void create_trainer();
  // Locks the run directory and decides what to do with it (rank 0; the others are told). False
  // when the directory holds a finished run that is kept: its recorded status is the result.
  bool claim_run_directory();
  // Loads the data, builds the model and, when resuming, loads the checkpoint.
  void prepare_or_resume();
  // Writes config.yaml and opens log.txt. False when nothing could be written (io_error).
  bool open_run_files();
  // The epochs, through fit (train/fit.h); every outcome is recorded in status_ and error_.
  void train();
  // Writes metrics.json (rank 0) and waits for the ranks to finish.
  RunResult finish();

  RunResult kept_result() const {
    return {kept_status_ == "diverged" ? RunStatus::kDiverged : RunStatus::kOk, dir_.string()};
  }
  RunResult io_error_result() const { return {RunStatus::kIoError, dir_.string()}; }

 private:
  void log_start();
  // The metrics.json "run" block; `wall_seconds` is the run's time up to now.
  json run_block(double wall_seconds) const;
  void record_failure(RunStatus status, std::string error) {
    status_ = status;
    error_ = std::move(error);
  }
  // The other ranks end once rank 0 has recorded the result, so that whoever waits for them (a
  // sweep, a job script) finds metrics.json written. Skipped after a failure: it may be the
  // collectives that failed.
  void wait_for_ranks();

  const RunOptions& options_;
  const Stopwatch wall_timer_;
  const std::string started_at_ = utc_timestamp(kUtcIso8601Format);
  const Spec spec_;
  const CommonOptions common_;
  const TrainerInfo& info_;
  const WorldInfo& world_;
  std::shared_ptr<spdlog::logger> log_;
  // What is logged before the run directory exists (the device choice, the trainer's data summary
  // and warnings) is kept here and written to log.txt first, once that file exists.
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> early_log_;
  torch::Device device_{torch::kCPU};
  int threads_ = 1;
  std::unique_ptr<DataParallel> group_;
  std::unique_ptr<ScopedDataParallel> installed_group_;
  bool collective_stops_ = false;
  EpochMeter meter_;
  std::unique_ptr<Trainer> trainer_;
  bool writer_ = true;  // rank 0 (or the only process) writes the run directory

  fs::path dir_;
  std::unique_ptr<DirectoryLock> lock_;
  OutDirAction action_ = OutDirAction::kStart;
  std::string kept_status_;
  FitRecord record_;
  int64_t recorded_threads_ = 0;  // torch's thread count in the checkpoint: a resume keeps it
  std::optional<int64_t> resumed_from_epoch_;
  CheckpointBundle bundle_;

  RunStatus status_ = RunStatus::kOk;
  std::string error_;
  json final_block_ = json::object();
};

Run::Run(const RunOptions& options, const TrainerRegistry& registry)
    : options_(options),
      spec_(load_spec(options.spec_path, options.overrides, registry,
                      options.strict ? UnreadKeys::kRefuse : UnreadKeys::kWarn)),
      common_(common_options_schema().bind(spec_)),
      info_(registry.get(common_.trainer)),
      world_(options.world) {
  if (options.resume && !options.out_dir) throw InputError("--resume needs --out DIR naming the run to continue");
  if (options.continue_run && !options.out_dir) throw InputError("--continue needs --out DIR naming the run");
  if (options.continue_run && (options.resume || options.force)) {
    throw InputError("--continue chooses between resuming and starting over itself; pass it without --resume "
                     "or --force");
  }
  log_ = make_logger(options.console, world_);
  early_log_ = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(kEarlyLogMessages);
  log_->sinks().push_back(early_log_);
  for (const auto& warning : spec_.warnings()) log_->warn("{}", warning);
}

void Run::create_trainer() {
  device_ = resolve_device(common_.device, *log_);
  // Each rank of a machine takes its own GPU unless the spec names one.
  if (world_.distributed() && device_.is_cuda() && common_.device.find(':') == std::string::npos) {
    device_ = torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(world_.local_rank));
  }
  threads_ = rank_threads(common_.threads, world_);
  torch::set_num_threads(threads_);

  // A stop is the local signal, except while a data-parallel run trains: then it is the ranks'
  // agreement (train/data_parallel.h), so every rank stops after the same step.
  RunContext context{device_, static_cast<uint64_t>(common_.seed), *log_, StopToken([this] {
                       return collective_stops_ ? group_->stop_agreed() : stop_requested();
                     })};
  context.meter = &meter_;
  trainer_ = info_.create(spec_, context);
  if (world_.distributed()) {
    if (!trainer_->supports_data_parallel()) throw InputError(one_process_only(info_.name, world_.world_size));
    group_ = std::make_unique<DataParallel>(connect_collectives(world_, device_, options_.collective_timeout),
                                            world_.rank, world_.world_size, StopToken(stop_requested));
  }
  installed_group_ = std::make_unique<ScopedDataParallel>(group_.get());
  writer_ = !group_ || group_->rank() == 0;
}

bool Run::claim_run_directory() {
  try {
    if (writer_) {
      lock_ = lock_out_dir(options_.out_dir, common_.name, "wei-run run " + options_.spec_path, dir_);
      const RunFiles files(dir_);
      try {
        for (const auto& folder : {dir_, dir_ / "checkpoints"}) {
          if (const int removed = remove_stale_temp_files(folder); removed > 0) {
            log_->info("removed {} temporary file(s) left in {} by a killed process", removed, folder.string());
          }
        }
        action_ = decide_out_dir(files, spec_, {options_.resume, options_.force, options_.continue_run}, *log_);
      } catch (...) {
        lock_->discard_if_created();
        throw;
      }
      if (action_ == OutDirAction::kKeep) kept_status_ = *files.recorded_status();
      if (group_) group_->broadcast_text(encode_decision(action_, files, dir_));
    } else {
      action_ = decode_decision(group_->broadcast_text(""), dir_, kept_status_);
    }
  } catch (const std::exception& e) {
    // The other ranks wait for rank 0's decision: tell them why there is none.
    if (group_ && writer_) group_->broadcast_text("! " + first_line(e.what()));
    throw;
  }
  return action_ != OutDirAction::kKeep;
}

void Run::prepare_or_resume() {
  const RunFiles files(dir_);
  try {
    trainer_->prepare();
    inject_allocation();
    register_fit_record(
        bundle_, record_, [this](json& doc) { doc["threads"] = recorded_threads_; },
        [this](const json& doc) { recorded_threads_ = doc.at("threads").get<int64_t>(); });
    trainer_->register_state(bundle_);
    if (action_ == OutDirAction::kResume) {
      torch::serialize::InputArchive archive;
      read_checkpoint(files.checkpoint_path(), archive);
      try {
        bundle_.load(archive);
      } catch (const std::exception& e) {
        throw CheckpointError(files.checkpoint_path().string() + ": does not hold this run's state: " +
                              first_line(e.what()) + corrupt_checkpoint_advice(files));
      }
      resumed_from_epoch_ = record_.epochs_done;
      if (common_.threads == 0 && recorded_threads_ > 0 && recorded_threads_ != threads_) {
        log_->info("resuming with the {} thread(s) the run started with, not {}, so it ends as an uninterrupted "
                   "run would", recorded_threads_, threads_);
        threads_ = static_cast<int>(recorded_threads_);
        torch::set_num_threads(threads_);
      }
    }
    // Every rank starts (or resumes) from rank 0's parameters and buffers.
    if (group_) group_->broadcast(bundle_.module_tensors());
  } catch (...) {
    if (lock_) lock_->discard_if_created();
    throw;
  }
  recorded_threads_ = threads_;
}

bool Run::open_run_files() {
  const RunFiles files(dir_);
  try {
    if (writer_ && action_ == OutDirAction::kRestart) files.remove_run_files();
    if (writer_) files.create();
    if (writer_) files.write_config(spec_.to_yaml());
  } catch (const WriteError& e) {
    // Nothing of this run is on disk yet: leave the directory as the command found it.
    log_->error("io_error: {}", e.what());
    files.remove_run_files();
    std::error_code ec;
    fs::remove(dir_ / "checkpoints", ec);  // only when empty
    lock_->discard_if_created();
    return false;
  }
  if (!writer_) {
    log_->sinks().pop_back();  // only rank 0 writes log.txt; the others log to the console
    return true;
  }
  try {
    auto file_sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(files.log_path().string(), false);
    file_sink->set_pattern("[%Y-%m-%d %H:%M:%S] %l %v");
    for (const auto& message : early_log_->last_raw()) file_sink->log(message);
    log_->sinks().back() = file_sink;  // in place of early_log_
  } catch (const spdlog::spdlog_ex& e) {
    log_->sinks().pop_back();  // the run goes on with its console log only
    log_->warn("cannot write {}: {}; the log goes to the console only", files.log_path().string(), e.what());
  }
  return true;
}

void Run::log_start() {
  const RunFiles files(dir_);
  if (resumed_from_epoch_) {
    std::vector<std::string> expected;
    for (const auto& row : record_.history) expected.push_back(row.dump());
    if (writer_ && files.history_lines() != expected) {
      log_->warn("{} did not match the checkpoint (a torn or extra line of a killed run); rewritten from it",
                 files.history_path().string());
    }
    log_->info("resuming {} from epoch {}/{}", dir_.string(), record_.epochs_done, trainer_->num_epochs());
  } else {
    log_->info("run {} -> {}", common_.name, dir_.string());
  }
  log_->info("trainer {}, device {}, {} thread(s), seed {}", info_.name, device_.str(), threads_, common_.seed);
  if (group_) {
    log_->info("data-parallel: rank {} of {}, {} backend, launched by {}", group_->rank(), group_->world_size(),
               group_->backend(), world_.launcher);
  }
}

void Run::train() {
  log_start();
  const RunFiles files(dir_);
  std::vector<double> epoch_costs;
  for (int64_t e = 0; e < trainer_->num_epochs(); ++e) epoch_costs.push_back(trainer_->epoch_cost(e));
  ProgressReporter progress(*log_, std::move(epoch_costs), record_.epochs_done, options_.live_progress && writer_,
                            trainer_->headline().key);
  FitHooks hooks;
  hooks.stop_requested = [this] { return group_ ? group_->agree_stop(stop_requested()) : stop_requested(); };
  hooks.save_checkpoint = [this, &files] {
    if (!writer_) return;
    torch::serialize::OutputArchive archive;
    bundle_.save(archive);
    write_checkpoint(files.checkpoint_path(), files.previous_checkpoint_path(), archive);
  };
  hooks.epoch_committed = [this, &files, &progress](int64_t epoch, const json& row) {
    if (writer_) files.append_history(row);
    progress.epoch_done(epoch, row);
  };
  hooks.add_timing = [this](json& timing) {
    if (group_) timing["allreduce_seconds"] = group_->take_communication_seconds();
  };
  try {
    if (writer_) files.rewrite_history(record_.history);
    collective_stops_ = group_ != nullptr;
    final_block_ = fit(*trainer_, record_, meter_, hooks);
  } catch (const InterruptedError&) {
    record_failure(RunStatus::kInterrupted, "interrupted after epoch " + std::to_string(record_.epochs_done) +
                                                "; continue with: " + continue_command(options_, dir_));
  } catch (const WriteError& e) {
    record_failure(RunStatus::kIoError, std::string(e.what()) + "; the checkpoint of epoch " +
                                            std::to_string(record_.epochs_done) +
                                            " is intact: once there is room, continue with: " +
                                            continue_command(options_, dir_));
  } catch (const DivergedError& e) {
    record_failure(RunStatus::kDiverged, e.what());
    final_block_ = json::object();
    final_block_["diverged_at_step"] = e.step();
  } catch (const std::exception& e) {
    record_failure(RunStatus::kFailed, first_line(e.what()));
  }
  progress.finish();
}

json Run::run_block(double wall_seconds) const {
  json run;
  run["id"] = dir_.filename().string();
  run["started_at"] = started_at_;
  run["finished_at"] = utc_timestamp(kUtcIso8601Format);
  run["wall_seconds"] = wall_seconds;
  run["host"] = host_name();
  run["git_commit"] = build_info::kGitCommit;
  run["wei_run_version"] = WEI_RUN_VERSION;
  run["torch_version"] = TORCH_VERSION;
  run["device"] = device_.str();
  run["threads"] = threads_;  // per rank
  run["world_size"] = world_.world_size;
  run["backend"] = group_ ? json(group_->backend()) : json(nullptr);
  run["launcher"] = world_.launcher;
  run["cpu"] = cpu_info_json(host_cpu());
  run["argv"] = options_.argv;
  run["resumed_from_epoch"] = resumed_from_epoch_ ? json(*resumed_from_epoch_) : json(nullptr);
  run["epoch_timing"] = record_.epoch_timing;
  return run;
}

void Run::wait_for_ranks() {
  if (!group_ || status_ == RunStatus::kFailed) return;
  try {
    group_->sum({0.0});
  } catch (const std::exception&) {
    // a rank that is gone has nothing left to wait for
  }
}

RunResult Run::finish() {
  const RunFiles files(dir_);
  const double wall = wall_timer_.seconds();
  if (!writer_) {
    wait_for_ranks();
    if (status_ == RunStatus::kOk) {
      log_->info("done in {}; rank 0 writes {}", format_duration(wall), files.metrics_path().string());
    } else {
      log_->error("{}: {}", status_name(status_), error_);
    }
    return RunResult{status_, dir_.string()};
  }
  json metrics;
  metrics["schema_version"] = kMetricsSchemaVersion;
  metrics["status"] = status_name(status_);
  metrics["run"] = run_block(wall);
  metrics["spec"] = spec_.to_json();
  // Present when the spec set keys this run does not read (the same lines as the log's warnings).
  if (!spec_.warnings().empty()) metrics["spec_warnings"] = spec_.warnings();
  metrics["data"] = trainer_->data_info();
  metrics["history"] = record_.history;
  metrics["final"] = final_block_;
  metrics["best"] = record_.best;
  metrics["error"] = error_.empty() ? json(nullptr) : json(error_);
  try {
    files.write_metrics(metrics);
  } catch (const WriteError& e) {
    // The result cannot be recorded; the checkpoint can still finish it (--continue recomputes it).
    if (status_ != RunStatus::kOk) log_->error("{}: {}", status_name(status_), error_);
    log_->error("io_error: {}; continue with: {}", e.what(), continue_command(options_, dir_));
    wait_for_ranks();
    return {RunStatus::kIoError, dir_.string()};
  }
  wait_for_ranks();
  if (status_ == RunStatus::kOk) {
    log_->info("done in {}: {}", format_duration(wall), files.metrics_path().string());
  } else {
    log_->error("{}: {}", status_name(status_), error_);
  }
  return RunResult{status_, dir_.string()};
}

}  // namespace

RunResult run_experiment(const RunOptions& options, const TrainerRegistry& registry) {
  // From the first instruction on, a stop signal is noted rather than killing the process, so even a
  // run stopped while it loads its data ends with status "interrupted" (or no trace at all).
  reset_stop_request();
  const ScopedStopHandlers stop_handlers;
  // Up to open_run_files(), bad input and interrupts leave no trace; from there on the run directory
  // holds the run and every outcome is recorded in metrics.json.
  Run run(options, registry);
  run.create_trainer();
  if (!run.claim_run_directory()) return run.kept_result();
  run.prepare_or_resume();
  if (!run.open_run_files()) return run.io_error_result();
  run.train();
  return run.finish();
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
