#include "base/stop_signals.h"

#include <atomic>
#include <signal.h>

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

sigset_t stop_signal_set() {
  sigset_t set;
  sigemptyset(&set);
  for (const int s : kSignals) sigaddset(&set, s);
  return set;
}

void install_stop_handlers() {
  for (const int s : kSignals) std::signal(s, on_signal);
  // A parent (the sweep launcher) may start us with these signals blocked so that one sent
  // before this point stays pending instead of killing us; it is delivered to the handler now.
  const sigset_t set = stop_signal_set();
  sigprocmask(SIG_UNBLOCK, &set, nullptr);
}

void restore_default_handlers() {
  for (const int s : kSignals) std::signal(s, SIG_DFL);
}

ScopedStopHandlers::~ScopedStopHandlers() { restore_default_handlers(); }

bool stop_requested() { return g_stop.load(); }
void reset_stop_request() { g_stop.store(false); }

}  // namespace wei
