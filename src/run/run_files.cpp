#include "run/run_files.h"

#include <fstream>
#include <sstream>

#include "base/durable_file.h"
#include "base/errors.h"
#include "base/finite_json.h"
#include "train/checkpoint_file.h"

namespace wei {

void RunFiles::create() const {
  std::error_code ec;
  std::filesystem::create_directories(dir_ / "checkpoints", ec);
  if (ec) throw RunError("cannot create run directory " + dir_.string() + ": " + ec.message());
}

void RunFiles::remove_run_files() const {
  std::error_code ec;
  for (const auto& path :
       {config_path(), metrics_path(), history_path(), log_path(), checkpoint_path(), previous_checkpoint_path()}) {
    std::filesystem::remove(path, ec);
  }
}

bool RunFiles::holds_run() const {
  for (const auto& path : {config_path(), metrics_path(), history_path(), checkpoint_path(), previous_checkpoint_path()}) {
    if (std::filesystem::exists(path)) return true;
  }
  return false;
}

std::optional<std::string> RunFiles::recorded_status() const {
  std::ifstream in(metrics_path());
  if (!in) return std::nullopt;
  try {
    const auto doc = nlohmann::json::parse(in);
    if (doc.contains("status") && doc["status"].is_string()) return doc["status"].get<std::string>();
  } catch (const nlohmann::json::exception&) {
  }
  return std::nullopt;
}

NextStep next_step(const RunFiles& files) {
  const auto status = files.recorded_status();
  if (status == "ok" || status == "diverged") return NextStep::kKeep;
  if (files.has_checkpoint() && (!status || status == "interrupted" || status == "io_error")) {
    return checkpoint_problem(files.checkpoint_path()).empty() ? NextStep::kResume : NextStep::kCorrupt;
  }
  return files.holds_run() ? NextStep::kRestart : NextStep::kFresh;
}

void RunFiles::write_config(const std::string& yaml) const { write_file_durably(config_path(), yaml); }

void RunFiles::write_metrics(const nlohmann::ordered_json& metrics) const {
  if (const std::string bad = first_non_finite(metrics); !bad.empty()) {
    throw std::logic_error("metrics hold a non-finite number at " + bad);
  }
  write_file_durably(metrics_path(), metrics.dump(2) + "\n");
}

void RunFiles::append_history(const nlohmann::ordered_json& row) const {
  append_line_durably(history_path(), row.dump());
}

std::vector<std::string> RunFiles::history_lines() const {
  std::ifstream in(history_path());
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

void RunFiles::rewrite_history(const std::vector<nlohmann::ordered_json>& rows) const {
  std::string content;
  for (const auto& row : rows) content += row.dump() + "\n";
  write_file_durably(history_path(), content);
}


}  // namespace wei
