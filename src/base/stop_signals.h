#pragma once
// SIGINT/SIGTERM (and SIGUSR1, which Slurm sends before a time limit) request a clean stop: the
// runner finishes or abandons the current epoch, keeps the last checkpoint and exits 130. A second
// signal of the same kind terminates at once with the default action.
#include <signal.h>

namespace wei {

// SIGINT, SIGTERM and SIGUSR1.
sigset_t stop_signal_set();

void install_stop_handlers();
// Installs the handlers for its lifetime (also when the scope is left by an exception).
class ScopedStopHandlers {
 public:
  ScopedStopHandlers() { install_stop_handlers(); }
  ~ScopedStopHandlers();
  ScopedStopHandlers(const ScopedStopHandlers&) = delete;
  ScopedStopHandlers& operator=(const ScopedStopHandlers&) = delete;
};

void restore_default_handlers();
bool stop_requested();
// For in-process callers (tests, sweeps) that reuse the process for several runs.
void reset_stop_request();

}  // namespace wei
