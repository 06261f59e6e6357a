#pragma once
// The one mini-batch loop of every gradient-trained trainer, in one process and data-parallel alike.
// At the start of an epoch it sets the per-epoch learning rate and calls `on_epoch_start`; for each
// step it polls the stop token, sets the per-step learning rate, asks the trainer's step function
// for the loss of this step's batch, checks finiteness, zeroes the gradients, runs backward,
// combines the ranks' gradients (data-parallel), calls `after_backward` (gradient clipping), the
// optimizer step, then `after_step` (an EMA of the weights, train/weight_average.h). In one process
// loss and accuracy are accumulated on the loss's device, so a CUDA stream is not stalled for
// every step.
//
// A step's batch is either the next slice of the epoch's order (EpochPlan::batches: a seeded
// permutation or any other index order the trainer draws) or left to the step function
// (EpochPlan::steps: a fresh random batch per step, an MLM masking, a full batch).
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include <torch/optim/optimizer.h>
#include <torch/types.h>

#include "base/stop_token.h"
#include "train/data_parallel.h"
#include "train/epoch_meter.h"
#include "train/trainer.h"

namespace wei {

struct StepBatch {
  // This step's slice of the epoch order; undefined in EpochPlan::steps. In a data-parallel run
  // (train/data_parallel.h) it is this rank's shard of the global batch, and may be empty: the step
  // function is then not called.
  torch::Tensor indices;
  int64_t step = 0;       // global 0-based optimizer step
  int64_t index = 0;      // 0-based step within the epoch

  // For EpochPlan::steps, whose step function draws its own global batch: this rank's rows of it
  // (all of it in a one-process run). Draw the global batch on every rank (same generator, same
  // numbers), then take its shard, so the ranks see disjoint parts of the same global batch.
  torch::Tensor shard(const torch::Tensor& global_batch) const;

  // Times the building of this step's inputs for the epoch's timing row while the returned object
  // lives: `{ const auto loading = b.time_loading(); x = ...; y = ...; }`.
  LoadingTime time_loading() const { return LoadingTime(meter); }

  EpochMeter* meter = nullptr;  // the run's, or none
};

struct StepLoss {
  // A loss that counts once in the epoch's mean, without accuracy.
  StepLoss(torch::Tensor loss) : loss(std::move(loss)) {}
  // A loss that averages `weight` examples or targets, and counts that many times in the epoch's mean.
  StepLoss(torch::Tensor loss, double weight) : loss(std::move(loss)), weight(weight), weight_is_count(true) {}
  StepLoss(torch::Tensor loss, double weight, torch::Tensor correct, int64_t predictions)
      : loss(std::move(loss)), weight(weight), weight_is_count(true), correct(std::move(correct)),
        predictions(predictions) {}

  torch::Tensor loss;       // scalar: what backward runs on
  double weight = 1.0;      // its weight in the epoch's mean: examples or targets it averages, or 1
  // In a data-parallel run, the ranks' gradients are combined weighted by their shard's examples
  // (EpochPlan::batches) or by this count (EpochPlan::steps; equally when it is not a count), and a
  // count is summed over the ranks in the epoch's mean.
  bool weight_is_count = false;
  torch::Tensor correct;    // optional: correct predictions of this step (integer scalar)
  int64_t predictions = 0;  // how many predictions `correct` is out of
};

using StepFunction = std::function<StepLoss(const StepBatch&)>;

struct EpochPlan {
  int64_t epoch = 0;       // 0-based, for messages and the per-epoch learning rate
  int64_t first_step = 0;  // global step of the epoch's first step
  int64_t steps = 0;
  torch::Tensor order;     // EpochPlan::batches only
  int64_t batch_size = 0;

  // ceil(order.size(0) / batch_size) steps, step i taking order[i * batch_size, (i + 1) * batch_size).
  static EpochPlan batches(torch::Tensor order, int64_t batch_size, int64_t epoch, int64_t first_step);
  // `count` steps whose step function draws its own batch.
  static EpochPlan step_range(int64_t count, int64_t epoch, int64_t first_step);
};

struct EpochTotals {
  double loss_sum = 0;     // sum of weight * loss
  double weight_sum = 0;
  int64_t correct = 0;
  int64_t predictions = 0;
  int64_t steps = 0;
  double lr = 0;           // the learning rate of the last step

  // loss_sum / weight_sum; 0 when no step ran.
  double mean_loss() const { return weight_sum > 0 ? loss_sum / weight_sum : 0.0; }
  // correct / predictions as a fraction; 0 when nothing was predicted.
  double accuracy() const {
    return predictions > 0 ? static_cast<double>(correct) / static_cast<double>(predictions) : 0.0;
  }
};

struct DriverOptions {
  std::function<double(int64_t epoch)> lr_per_epoch;  // set once, before the epoch's first step
  std::function<double(int64_t step)> lr_per_step;    // set before every step (global step)
  std::function<void(int64_t epoch)> on_epoch_start;  // after the per-epoch rate, before the first step
  std::function<void()> after_backward;               // between backward and the optimizer step
  std::function<void(const StepBatch&)> after_step;   // after the optimizer step (on every rank)
  // Steps between finiteness checks of the accumulated loss (each is a device sync); the last step
  // is always checked. A non-finite loss throws DivergedError with its global step before that
  // step's update.
  int64_t finite_check_every = 1;
  std::string loss_name = "training";  // in the DivergedError message
};

// In a data-parallel run (current_data_parallel() set) the driver shards each batch, combines the
// ranks' gradients after backward (before `after_backward`), checks the global batch's loss at
// every step (the same step on every rank), and returns totals summed over the ranks; a stop
// requested on any rank travels with the step's collective, and the run's stop token reports the
// agreement.
//
// A non-finite loss throws DivergedError before that step's update; its step() is the number of
// optimizer updates applied before it (the global index of the diverging step).
class EpochDriver {
 public:
  EpochDriver(torch::optim::Optimizer& optimizer, StopToken stop, DriverOptions options = {});
  // The run's stop token, and its meter for the epoch's timing row (train/fit.h).
  EpochDriver(torch::optim::Optimizer& optimizer, const RunContext& context, DriverOptions options = {});
  // Runs the plan's steps; throws InterruptedError when a stop is requested before a step.
  EpochTotals run(const EpochPlan& plan, const StepFunction& step) const;

 private:
  // Polls the stop token, cuts step i's batch from the plan (this rank's shard of it when `group`
  // is set) and sets the per-step learning rate.
  StepBatch begin_step(const EpochPlan& plan, int64_t i, const DataParallel* group) const;

  torch::optim::Optimizer& optimizer_;
  StopToken stop_;
  EpochMeter* meter_ = nullptr;
  DriverOptions options_;
};

}  // namespace wei
