#include "metrics/progress.h"

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

ProgressReporter::ProgressReporter(spdlog::logger& log, int64_t total_epochs, int64_t first_epoch, bool live,
                                   std::string headline_key)
    : log_(log), total_(total_epochs), first_(first_epoch), live_(live), headline_key_(std::move(headline_key)),
      start_(std::chrono::steady_clock::now()), last_print_(start_) {}

std::string ProgressReporter::describe(int64_t epoch, const nlohmann::ordered_json& row) const {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double per_epoch = elapsed / static_cast<double>(epoch - first_ + 1);
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
  text += " | " + format_duration(elapsed) + " elapsed, ETA " +
          format_duration(per_epoch * static_cast<double>(total_ - epoch - 1));
  return text;
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
