#pragma once
// Wall-clock seconds since a start, on the monotonic clock: the timing rows of trainers and the
// runner. Not for results: timings are left out of determinism and `wei-run diff`.
#include <chrono>

namespace wei {

class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace wei
