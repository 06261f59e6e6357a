#pragma once
// How long-running work learns that a stop was requested (SIGINT, SIGTERM or SIGUSR1 through
// base/stop_signals.h, or a test's own condition): it polls the token between units of work (a
// batch, a step, a file) and leaves by throwing InterruptedError, abandoning the unit.
#include <functional>
#include <utility>

#include "base/errors.h"

namespace wei {

class StopToken {
 public:
  StopToken() = default;  // never asks to stop
  explicit StopToken(std::function<bool()> requested) : requested_(std::move(requested)) {}

  bool requested() const { return requested_ && requested_(); }
  void throw_if_requested() const {
    if (requested()) throw InterruptedError();
  }

 private:
  std::function<bool()> requested_;
};

}  // namespace wei
