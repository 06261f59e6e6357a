#pragma once
// Progress of a run: on a terminal one live line rewritten in place with the ETA; otherwise (logs,
// Slurm output files) plain log lines, at most one every few seconds plus the first and last epoch.
// Each line shows the headline metric (when the row has it) and then the row's first other numbers.
// The ETA scales the time so far by the trainer's estimated cost of the epochs left over that of
// the epochs done (Trainer::epoch_cost), so phases of different speeds do not mislead it.
#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/logger.h>

namespace wei {

class ProgressReporter {
 public:
  // epoch_costs: one relative cost per epoch of the run (its size is the number of epochs).
  ProgressReporter(spdlog::logger& log, std::vector<double> epoch_costs, int64_t first_epoch, bool live,
                   std::string headline_key = "");
  void epoch_done(int64_t epoch, const nlohmann::ordered_json& row);
  // Ends the live line so later output starts on a fresh line.
  void finish();
  // Seconds left after epoch `epoch` when `elapsed` seconds have passed since the start.
  double eta(int64_t epoch, double elapsed) const;

 private:
  std::string describe(int64_t epoch, const nlohmann::ordered_json& row) const;
  spdlog::logger& log_;
  std::vector<double> cost_after_;  // cost_after_[e]: summed cost of epochs e..end
  int64_t total_;
  int64_t first_;
  bool live_;
  std::string headline_key_;
  bool line_open_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
};

// "1h02m", "3m05s", "4.2s".
std::string format_duration(double seconds);

}  // namespace wei
