#include "run/progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace wei {

namespace {
constexpr double kPlainLogInterval = 5.0;  // seconds between plain progress lines
constexpr int kMaxShownMetrics = 4;

std::string short_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), std::fabs(v) >= 1e4 || (v != 0 && std::fabs(v) < 1e-3) ? "%.3e" : "%.4g", v);
  return buf;
}
}  // namespace

std::string format_duration(double seconds) {
  char buf[32];
  if (seconds < 60) {
    std::snprintf(buf, sizeof(buf), "%.1fs", seconds);
  } else if (seconds < 3600) {
    std::snprintf(buf, sizeof(buf), "%dm%02ds", static_cast<int>(seconds) / 60, static_cast<int>(seconds) % 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%dh%02dm", static_cast<int>(seconds) / 3600, (static_cast<int>(seconds) % 3600) / 60);
  }
  return buf;
}

ProgressReporter::ProgressReporter(spdlog::logger& log, std::vector<double> epoch_costs, int64_t first_epoch,
                                   bool live, std::string headline_key)
    : log_(log), cost_after_(epoch_costs.size() + 1, 0.0), total_(static_cast<int64_t>(epoch_costs.size())),
      first_(first_epoch), live_(live), headline_key_(std::move(headline_key)),
      start_(std::chrono::steady_clock::now()), last_print_(start_) {
  for (size_t e = epoch_costs.size(); e-- > 0;) cost_after_[e] = cost_after_[e + 1] + std::max(0.0, epoch_costs[e]);
}

std::string ProgressReporter::describe(int64_t epoch, const nlohmann::ordered_json& row) const {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string text = "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(total_);
  int shown = 0;
  auto show = [&](const std::string& key, const nlohmann::ordered_json& value) {
    text += " " + key + "=" + (value.is_number_integer() ? value.dump() : short_number(value.get<double>()));
    ++shown;
  };
  const auto headline = headline_key_.empty() ? row.end() : row.find(headline_key_);
  if (headline != row.end() && headline->is_number()) show(headline_key_, *headline);
  for (const auto& [key, value] : row.items()) {
    if (!value.is_number() || key == "epoch" || key == headline_key_ || shown == kMaxShownMetrics) continue;
    show(key, value);
  }
  text += " | " + format_duration(elapsed) + " elapsed, ETA " + format_duration(eta(epoch, elapsed));
  return text;
}

double ProgressReporter::eta(int64_t epoch, double elapsed) const {
  const double done = cost_after_[static_cast<size_t>(first_)] - cost_after_[static_cast<size_t>(epoch + 1)];
  const double left = cost_after_[static_cast<size_t>(epoch + 1)];
  if (done > 0) return elapsed * left / done;
  // Nothing of known cost done yet: fall back to equal epochs.
  return elapsed / static_cast<double>(epoch - first_ + 1) * static_cast<double>(total_ - epoch - 1);
}

void ProgressReporter::epoch_done(int64_t epoch, const nlohmann::ordered_json& row) {
  const auto now = std::chrono::steady_clock::now();
  const bool last = epoch + 1 == total_;
  if (live_) {
    if (std::chrono::duration<double>(now - last_print_).count() < 0.1 && !last) return;
    std::fprintf(stderr, "\r\033[K%s", describe(epoch, row).c_str());
    std::fflush(stderr);
    line_open_ = true;
    last_print_ = now;
    return;
  }
  if (epoch == first_ || last || std::chrono::duration<double>(now - last_print_).count() >= kPlainLogInterval) {
    log_.info(describe(epoch, row));
    last_print_ = now;
  }
}

void ProgressReporter::finish() {
  if (line_open_) std::fprintf(stderr, "\n");
  line_open_ = false;
}

}  // namespace wei
