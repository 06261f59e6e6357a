#pragma once
// The exception types library code throws; only main() turns them into exit codes:
//   InputError (and SpecError)  -> 2  bad spec, argv or data file; nothing was run or written
//   RunError (and DivergedError) -> 1  the run started and failed
//   InterruptedError            -> 130 stop requested (SIGINT/SIGTERM); checkpoint saved
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace wei {

// Bad input from the user. The message names the file (and line:col, key or byte offset).
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One or more spec diagnostics, each already formatted as "file:line:col: key.path: problem".
class SpecError : public InputError {
 public:
  explicit SpecError(std::vector<std::string> diagnostics);
  const std::vector<std::string>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<std::string> diagnostics_;
};

// A run that started and could not finish.
class RunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A non-finite loss, metric or parameter. `step` is the number of optimizer updates the run had
// applied when the value was seen: for a step's own loss, the global 0-based index of that step
// (its update is not applied); for a value computed after an epoch (a history row, the final
// block), the updates of the run so far. metrics.json records it as final.diverged_at_step.
class DivergedError : public RunError {
 public:
  DivergedError(int64_t step, const std::string& what) : RunError(what), step_(step) {}
  int64_t step() const { return step_; }

 private:
  int64_t step_;
};

// The first line of an error message: LibTorch's messages go on with a backtrace of many frames.
std::string first_line(const std::string& message);

// Thrown from inside a trainer when a stop was requested mid-epoch; the epoch is abandoned and the
// run resumes from the last completed epoch's checkpoint.
class InterruptedError : public std::runtime_error {
 public:
  InterruptedError() : std::runtime_error("interrupted") {}
};

}  // namespace wei
