#include "core/stop_signals.h"

#include <atomic>
#include <csignal>

namespace wei {

namespace {
std::atomic<bool> g_stop{false};
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGUSR1};

void on_signal(int signal) {
  g_stop.store(true);
  std::signal(signal, SIG_DFL);  // a second signal of this kind acts immediately
}
}  // namespace

void install_stop_handlers() {
  for (const int s : kSignals) std::signal(s, on_signal);
}

void restore_default_handlers() {
  for (const int s : kSignals) std::signal(s, SIG_DFL);
}

ScopedStopHandlers::~ScopedStopHandlers() { restore_default_handlers(); }

bool stop_requested() { return g_stop.load(); }
void reset_stop_request() { g_stop.store(false); }
void request_stop() { g_stop.store(true); }

}  // namespace wei
