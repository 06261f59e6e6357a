#pragma once
// Data-parallel training as PyTorch's DistributedDataParallel does it, once for every trainer on
// the epoch driver (train/epoch_driver.h), over the ranks of a c10d group (train/collectives.h):
//
// - Data: the spec's batch size is the global batch. Every rank draws the same epoch order (same
//   seed, same stream) and takes its own contiguous, disjoint shard of each global batch (shard()).
// - Gradients: after backward they are summed over the ranks in flattened buckets, each rank's
//   scaled by its share of the global batch (its examples, or the count its loss averages), so the
//   update is the global batch's: a model without BatchNorm or dropout follows the one-process run
//   to rounding. BatchNorm uses each rank's own batch statistics (no SyncBatchNorm), as in DDP; its
//   running statistics are rank 0's wherever they are saved or evaluated.
// - Parameters and buffers are broadcast from rank 0 at the start and after a resume.
// - Stopping: a stop requested on any rank (a signal) travels with the step's totals, so every rank
//   finishes the same step and then stops (stop_agreed()).
//
// The runner creates one per data-parallel run and installs it (ScopedDataParallel) for the run's
// lifetime; current_data_parallel() is null in a one-process run.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "base/stop_token.h"
#include "train/collectives.h"

namespace wei {

class DataParallel {
 public:
  // `local_stop` is this process's own stop request (a signal); each step's collective carries it to
  // the other ranks (stop_agreed()).
  DataParallel(std::unique_ptr<Collectives> collectives, int rank, int world_size, StopToken local_stop = StopToken());

  int rank() const { return rank_; }
  int world_size() const { return world_size_; }
  std::string backend() const { return collectives_->backend(); }

  struct Range {
    int64_t start = 0;
    int64_t length = 0;
  };
  // This rank's rows of a global batch of `rows`: contiguous, disjoint over the ranks, covering
  // all of them; the first rows % world_size ranks get one row more.
  Range shard_range(int64_t rows) const;
  // Those rows of `global` (dimension 0).
  torch::Tensor shard(const torch::Tensor& global) const;

  // The sums over the ranks of one step, returned by sync_gradients.
  struct StepSums {
    double weight = 0;         // total weight (examples or counts) of the global batch
    double loss = 0;           // the global batch's loss: sum of each rank's loss times its share
    double reported_loss = 0;  // sum of each rank's loss * reported weight
    double reported_weight = 0;
    bool stop = false;         // some rank asked to stop
  };
  // Called by every rank after backward. `weight` is this rank's share measure (its examples or
  // the count its loss averages; 0 when its shard was empty and it ran no backward); `loss` its
  // loss value. A local stop request travels with the step's numbers. Leaves in each parameter's .grad the sum over the ranks of weight_r / total * grad_r:
  // a parameter without a gradient on some ranks counts as zero there, and stays without one
  // only if no rank has one.
  StepSums sync_gradients(const std::vector<torch::Tensor>& params, double weight, double loss,
                          double reported_loss, double reported_weight);

  // Elementwise sum over the ranks.
  std::vector<double> sum(const std::vector<double>& values);
  // True on every rank when `local` is true on any; once true, stop_agreed() stays true.
  bool agree_stop(bool local);
  bool stop_agreed() const { return stop_agreed_; }
  // Rank 0's values into every rank's tensors, in place.
  void broadcast(const std::vector<torch::Tensor>& tensors);
  // Rank 0's text on every rank.
  std::string broadcast_text(const std::string& text);

  // Seconds spent in gradient collectives since the last call (a timing figure of each epoch).
  double take_communication_seconds();

 private:
  std::unique_ptr<Collectives> collectives_;
  int rank_, world_size_;
  StopToken local_stop_;
  bool stop_agreed_ = false;
  double communication_seconds_ = 0;
};

// The run's data-parallel group, or nullptr in a one-process run.
DataParallel* current_data_parallel();

// Installs `group` as current_data_parallel() for its lifetime.
class ScopedDataParallel {
 public:
  explicit ScopedDataParallel(DataParallel* group);
  ~ScopedDataParallel();
  ScopedDataParallel(const ScopedDataParallel&) = delete;
  ScopedDataParallel& operator=(const ScopedDataParallel&) = delete;

 private:
  DataParallel* previous_;
};

}  // namespace wei
