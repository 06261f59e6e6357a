#pragma once
// What the step driver (train/epoch_driver.h) measures of one epoch for `fit` (train/fit.h): the
// examples its steps took, the host time spent building their batches, and the optimizer steps
// taken so far. The runner or a test owns one per run and hands it to the trainer in RunContext.
#include <cstdint>

#include "base/stopwatch.h"

namespace wei {

struct EpochMeter {
  int64_t examples = 0;      // examples of the epoch's global batches (all ranks together)
  double data_seconds = 0;   // host seconds inside StepBatch::time_loading (asynchronous on CUDA: a lower bound)
  int64_t steps_done = 0;    // optimizer updates applied in the run so far (global count)

  // Zeroes the per-epoch figures (fit calls it before each epoch); steps_done runs on.
  void start_epoch() {
    examples = 0;
    data_seconds = 0;
  }
};

// Adds the seconds of its lifetime to a meter's data_seconds (nothing without a meter).
class LoadingTime {
 public:
  explicit LoadingTime(EpochMeter* meter) : meter_(meter) {}
  ~LoadingTime() {
    if (meter_) meter_->data_seconds += watch_.seconds();
  }
  LoadingTime(const LoadingTime&) = delete;
  LoadingTime& operator=(const LoadingTime&) = delete;

 private:
  EpochMeter* meter_;
  Stopwatch watch_;
};

}  // namespace wei
