#pragma once
// The files of one run directory (GUIDE §4) and how each is written (base/durable_file.h):
//   config.yaml          resolved spec, durable
//   metrics.json         schema 1, durable, rewritten at the end (and on interrupt/divergence/failure)
//   history.jsonl        one JSON line per completed epoch, appended and fsync'ed; rewritten from the
//                        checkpoint on resume (which drops a torn or extra line)
//   log.txt              the run's log (spdlog file sink, appended across resumes)
//   checkpoints/last.pt  runner + trainer state after the last completed epoch, verified by a
//                        checksum (train/checkpoint_file.h)
//   checkpoints/prev.pt  the checkpoint of the epoch before
//   .wei-run.lock        while a command works on the directory (base/directory_lock.h)
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace wei {

inline constexpr int kMetricsSchemaVersion = 1;

class RunFiles {
 public:
  explicit RunFiles(std::filesystem::path dir) : dir_(std::move(dir)) {}

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path config_path() const { return dir_ / "config.yaml"; }
  std::filesystem::path metrics_path() const { return dir_ / "metrics.json"; }
  std::filesystem::path history_path() const { return dir_ / "history.jsonl"; }
  std::filesystem::path log_path() const { return dir_ / "log.txt"; }
  std::filesystem::path checkpoint_path() const { return dir_ / "checkpoints" / "last.pt"; }
  std::filesystem::path previous_checkpoint_path() const { return dir_ / "checkpoints" / "prev.pt"; }

  // Creates the directory and checkpoints/ (the only place a run directory is created).
  void create() const;
  // Removes the files a run writes (not the directory, nor anything else in it), for --force.
  void remove_run_files() const;
  // "ok", "interrupted", ... from an existing metrics.json; nullopt when absent or unreadable.
  std::optional<std::string> recorded_status() const;
  bool has_checkpoint() const { return std::filesystem::exists(checkpoint_path()); }
  // True when the directory holds any file a run writes.
  bool holds_run() const;

  void write_config(const std::string& yaml) const;
  void write_metrics(const nlohmann::ordered_json& metrics) const;
  void append_history(const nlohmann::ordered_json& row) const;
  void rewrite_history(const std::vector<nlohmann::ordered_json>& rows) const;
  // The lines of history.jsonl as they are on disk (empty when there is none).
  std::vector<std::string> history_lines() const;

 private:
  std::filesystem::path dir_;
};

// What running into a directory again does, given what an earlier attempt left there (wei-run
// sweep for each point, wei-run run --continue): a result, status ok or diverged (diverging is a
// result), is kept; a checkpoint without a final status, or "interrupted" or "io_error", is resumed;
// any other leftover (failed, or killed before its first checkpoint) is started over; nothing is a
// fresh run. A checkpoint to resume that fails its verification is neither resumed nor started
// over (kCorrupt): the user decides (checkpoint_problem() says what is wrong).
enum class NextStep { kKeep, kFresh, kResume, kRestart, kCorrupt };
NextStep next_step(const RunFiles& files);

}  // namespace wei
