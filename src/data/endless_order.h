#pragma once
// Indices [start, start + count) of an endless sequence of shuffles of 0..n-1, shuffle j drawn from
// its own seeded stream: the batch of any step follows from the step alone, so a resumed or
// data-parallel run draws the same batches without carrying an order in its checkpoint.
#include <cstdint>

#include <torch/types.h>

namespace wei::data {

class EndlessOrder {
 public:
  EndlessOrder(int64_t n, uint64_t seed) : n_(n), seed_(seed) {}

  // int64 [count], on the CPU.
  torch::Tensor take(int64_t start, int64_t count);

 private:
  int64_t n_;
  uint64_t seed_;
  int64_t cached_pass_ = -1;
  torch::Tensor cached_;
};

}  // namespace wei::data
