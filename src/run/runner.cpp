#include "run/runner.h"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <sstream>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include "base/atomic_file.h"
#include "base/build_info.h"
#include "base/cpu_info.h"
#include "base/device.h"
#include "base/errors.h"
#include "base/stop_signals.h"
#include "run/progress.h"
#include "run/run_files.h"
#include "spec/common_options.h"
#include "spec/spec_loader.h"
#include "train/checkpoint_bundle.h"

namespace wei {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

const char* status_name(RunStatus status) {
  switch (status) {
    case RunStatus::kOk: return "ok";
    case RunStatus::kFailed: return "failed";
    case RunStatus::kDiverged: return "diverged";
    case RunStatus::kInterrupted: return "interrupted";
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

// results/<name>/<UTC timestamp>, with -2, -3 ... when several runs start in the same second.
fs::path default_out_dir(const std::string& name) {
  const fs::path base = fs::path("results") / name / utc_timestamp("%Y%m%d-%H%M%S");
  fs::path candidate = base;
  for (int i = 2; fs::exists(candidate); ++i) candidate = base.string() + "-" + std::to_string(i);
  return candidate;
}

// Console output goes to stderr (coloured on a terminal), or to `stream` for in-process callers.
std::shared_ptr<spdlog::logger> make_logger(std::ostream* stream) {
  spdlog::sink_ptr console;
  if (stream) {
    console = std::make_shared<spdlog::sinks::ostream_sink_mt>(*stream, /*force_flush=*/true);
  } else {
    console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  }
  console->set_pattern("[%H:%M:%S] %^%l%$ %v");
  auto logger = std::make_shared<spdlog::logger>("wei-run", console);
  logger->set_level(spdlog::level::info);
  logger->flush_on(spdlog::level::info);
  return logger;
}

// A run directory is only ever continued or kept under the spec it was started with.
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

// Decides what to do with an existing --out directory; throws InputError for a refused case.
void check_out_dir(const RunFiles& files, const Spec& spec, const RunOptions& options) {
  if (options.resume) {
    if (!files.has_checkpoint()) {
      throw InputError(files.dir().string() + ": nothing to resume (no checkpoints/last.pt)");
    }
    const auto status = files.recorded_status();
    if (status && *status != "interrupted") {
      throw InputError(files.dir().string() + ": the run there already ended with status '" + *status +
                       "'; nothing to resume (use --force to run it again)");
    }
    require_saved_spec(files, spec, "resume");
    return;
  }
  if (!files.holds_run() || options.force) return;
  const auto status = files.recorded_status();
  if (status && *status != "interrupted") {
    throw InputError(files.dir().string() + ": holds a finished run (status '" + *status +
                     "'); choose another --out or pass --force to overwrite it");
  }
  throw InputError(files.dir().string() +
                   ": holds an unfinished run; pass --resume to continue it or --force to start over");
}

// --continue: what the --out directory holds decides, by the rule wei-run sweep applies to its points
// (next_step). A finished run (ok or diverged) is kept under the same spec and its status returned;
// otherwise options.resume or options.force is set for check_out_dir and nullopt returned.
std::optional<RunStatus> continue_decision(const RunFiles& files, const Spec& spec, RunOptions& options,
                                           spdlog::logger& log) {
  switch (next_step(files)) {
    case NextStep::kKeep: {
      require_saved_spec(files, spec, "continue it");
      const std::string status = *files.recorded_status();
      log.info("{} already holds a finished run (status {}); kept", files.dir().string(), status);
      return status == "diverged" ? RunStatus::kDiverged : RunStatus::kOk;
    }
    case NextStep::kResume: options.resume = true; break;
    case NextStep::kRestart: options.force = true; break;
    case NextStep::kFresh: break;
  }
  return std::nullopt;
}

struct RunnerState {
  int64_t epochs_done = 0;
  std::vector<json> history;
  json best = json::object();
  json epoch_timing = json::array();  // volatile: ends up under metrics.json "run"
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
        return doc;
      },
      [&state](const json& doc) {
        state.epochs_done = doc.at("epochs_done").get<int64_t>();
        state.history.assign(doc.at("history").begin(), doc.at("history").end());
        state.best = doc.at("best");
        state.epoch_timing = doc.at("epoch_timing");
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

}  // namespace

RunResult run_experiment(const RunOptions& requested, const TrainerRegistry& registry) {
  RunOptions options = requested;  // --continue turns into --resume or --force (continue_decision)
  // From the first instruction on, a stop signal is noted rather than killing the process, so even a
  // run stopped while it loads its data ends with status "interrupted" (or no trace at all).
  reset_stop_request();
  const ScopedStopHandlers stop_handlers;
  const auto wall_start = std::chrono::steady_clock::now();
  const std::string started_at = utc_timestamp("%Y-%m-%dT%H:%M:%SZ");

  // --- Everything below up to files.create() only reads: bad input leaves no trace. ---
  const Spec spec = load_spec(options.spec_path, options.overrides, registry);
  const CommonOptions common = common_options_schema().bind(spec);
  const TrainerInfo& info = registry.get(common.trainer);
  auto log = make_logger(options.console);
  // What is logged before the run directory exists (the device choice, the trainer's data summary
  // and warnings) is kept here and written to log.txt first, once that file exists.
  auto early_log = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(kEarlyLogMessages);
  log->sinks().push_back(early_log);
  const torch::Device device = resolve_device(common.device, *log);
  const int threads = resolve_threads(common.threads);
  torch::set_num_threads(threads);

  if (options.resume && !options.out_dir) throw InputError("--resume needs --out DIR naming the run to continue");
  if (options.continue_run && !options.out_dir) throw InputError("--continue needs --out DIR naming the run");
  if (options.continue_run && (options.resume || options.force)) {
    throw InputError("--continue chooses between resuming and starting over itself; pass it without --resume "
                     "or --force");
  }
  const fs::path dir = options.out_dir ? fs::path(*options.out_dir) : default_out_dir(common.name);
  const RunFiles files(dir);
  if (options.continue_run) {
    if (const auto kept = continue_decision(files, spec, options, *log)) return {*kept, dir.string()};
  }
  check_out_dir(files, spec, options);

  const uint64_t seed = static_cast<uint64_t>(common.seed);
  const RunContext context{device, seed, *log, StopToken([] { return stop_requested(); })};
  std::unique_ptr<Trainer> trainer = info.create(spec, context);
  trainer->prepare();

  RunnerState state;
  CheckpointBundle bundle;
  register_runner_state(bundle, state);
  trainer->register_state(bundle);
  if (options.resume) {
    try {
      torch::serialize::InputArchive archive;
      archive.load_from(files.checkpoint_path().string());
      bundle.load(archive);
    } catch (const std::exception& e) {
      throw InputError(files.checkpoint_path().string() + ": cannot resume from this checkpoint: " + e.what());
    }
  }

  // --- From here on the run directory exists and every outcome is recorded in metrics.json. ---
  if (options.force && !options.resume) files.remove_run_files();
  files.create();
  files.write_config(spec.to_yaml());
  auto file_sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(files.log_path().string(), false);
  file_sink->set_pattern("[%Y-%m-%d %H:%M:%S] %l %v");
  for (const auto& message : early_log->last_raw()) file_sink->log(message);
  log->sinks().back() = file_sink;  // in place of early_log
  if (options.resume) {
    files.rewrite_history(state.history);
    log->info("resuming {} from epoch {}/{}", dir.string(), state.epochs_done, trainer->num_epochs());
  } else {
    files.rewrite_history({});
    log->info("run {} -> {}", common.name, dir.string());
  }
  log->info("trainer {}, device {}, {} thread(s), seed {}", info.name, device.str(), threads, seed);

  json run;
  run["id"] = dir.filename().string();
  run["started_at"] = started_at;
  run["finished_at"] = nullptr;
  run["wall_seconds"] = nullptr;
  run["host"] = host_name();
  run["git_commit"] = build_info::kGitCommit;
  run["wei_run_version"] = WEI_RUN_VERSION;
  run["torch_version"] = TORCH_VERSION;
  run["device"] = device.str();
  run["threads"] = threads;
  run["cpu"] = cpu_info_json(host_cpu());
  run["argv"] = options.argv;
  run["resumed_from_epoch"] = options.resume ? json(state.epochs_done) : json(nullptr);

  const HeadlineMetric headline = trainer->headline();
  const int64_t total = trainer->num_epochs();
  RunStatus status = RunStatus::kOk;
  std::string error;
  json final_block = json::object();

  std::vector<double> epoch_costs;
  for (int64_t e = 0; e < total; ++e) epoch_costs.push_back(trainer->epoch_cost(e));
  ProgressReporter progress(*log, std::move(epoch_costs), state.epochs_done, options.live_progress, headline.key);
  try {
    for (int64_t epoch = state.epochs_done; epoch < total; ++epoch) {
      if (stop_requested()) throw InterruptedError();
      const auto epoch_start = std::chrono::steady_clock::now();
      json row;
      row["epoch"] = epoch + 1;
      row.update(trainer->train_epoch(epoch));
      json timing;
      timing["epoch"] = epoch + 1;
      timing["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count();
      if (row.contains("timing")) {
        timing.update(row["timing"]);
        row.erase("timing");
      }
      if (const std::string bad = first_non_finite(row); !bad.empty()) {
        throw DivergedError(epoch + 1, "non-finite " + bad + " in epoch " + std::to_string(epoch + 1));
      }
      state.history.push_back(row);
      state.epoch_timing.push_back(timing);
      state.epochs_done = epoch + 1;
      update_best(state.best, row, headline);
      torch::serialize::OutputArchive archive;
      bundle.save(archive);
      write_via_temp(files.checkpoint_path(), [&](const std::string& tmp) { archive.save_to(tmp); });
      files.append_history(row);
      progress.epoch_done(epoch, row);
    }
    final_block = trainer->final_metrics();
    if (const std::string bad = first_non_finite(final_block); !bad.empty()) {
      final_block = json::object();
      throw DivergedError(state.epochs_done, "non-finite final metric " + bad);
    }
  } catch (const InterruptedError&) {
    status = RunStatus::kInterrupted;
    error = "interrupted after epoch " + std::to_string(state.epochs_done) + "; resume with --resume --out " +
            dir.string();
  } catch (const DivergedError& e) {
    status = RunStatus::kDiverged;
    error = e.what();
    final_block["diverged_at_step"] = e.step();
  } catch (const std::exception& e) {
    status = RunStatus::kFailed;
    error = e.what();
  }
  progress.finish();

  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
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
  files.write_metrics(metrics);

  if (status == RunStatus::kOk) {
    log->info("done in {}: {}", format_duration(wall), files.metrics_path().string());
  } else {
    log->error("{}: {}", status_name(status), error);
  }
  return RunResult{status, dir.string()};
}

}  // namespace wei
