#include "train/epoch_driver.h"

#include <cmath>

#include "base/errors.h"
#include "base/int_math.h"
#include "base/stop_signals.h"
#include "train/learning_rate.h"

namespace wei {

EpochPlan EpochPlan::batches(torch::Tensor order, int64_t batch_size, int64_t epoch, int64_t first_step) {
  EpochPlan plan;
  plan.epoch = epoch;
  plan.first_step = first_step;
  plan.steps = ceil_div(order.size(0), batch_size);
  plan.order = std::move(order);
  plan.batch_size = batch_size;
  return plan;
}

EpochPlan EpochPlan::step_range(int64_t count, int64_t epoch, int64_t first_step) {
  EpochPlan plan;
  plan.epoch = epoch;
  plan.first_step = first_step;
  plan.steps = count;
  return plan;
}

torch::Tensor StepBatch::shard(const torch::Tensor& global_batch) const {
  const DataParallel* group = current_data_parallel();
  return group ? group->shard(global_batch) : global_batch;
}

EpochDriver::EpochDriver(torch::optim::Optimizer& optimizer, StopToken stop, DriverOptions options)
    : optimizer_(optimizer), stop_(std::move(stop)), options_(std::move(options)) {}

StepBatch EpochDriver::begin_step(const EpochPlan& plan, int64_t i, const DataParallel* group) const {
  stop_.throw_if_requested();
  StepBatch batch;
  batch.step = plan.first_step + i;
  batch.index = i;
  if (plan.order.defined()) {
    const int64_t start = i * plan.batch_size;
    batch.indices = plan.order.narrow(0, start, std::min(plan.batch_size, plan.order.size(0) - start));
    if (group) batch.indices = group->shard(batch.indices);
  }
  if (options_.lr_per_step) set_lr(optimizer_, options_.lr_per_step(batch.step));
  return batch;
}

EpochTotals EpochDriver::run(const EpochPlan& plan, const StepFunction& step) const {
  if (DataParallel* group = current_data_parallel()) return run_data_parallel(plan, step, *group);
  EpochTotals totals;
  if (options_.lr_per_epoch) set_lr(optimizer_, options_.lr_per_epoch(plan.epoch));
  torch::Tensor loss_sum, correct;  // on the loss's device, created by the first step
  for (int64_t i = 0; i < plan.steps; ++i) {
    const StepBatch batch = begin_step(plan, i, nullptr);

    const StepLoss out = step(batch);
    const torch::Tensor weighted = out.loss.detach().to(torch::kDouble) * out.weight;
    loss_sum = loss_sum.defined() ? loss_sum + weighted : weighted;
    totals.weight_sum += out.weight;
    if (out.correct.defined()) {
      correct = correct.defined() ? correct + out.correct : out.correct.to(torch::kInt64);
      totals.predictions += out.predictions;
    }
    if ((i + 1) % options_.finite_check_every == 0 || i + 1 == plan.steps) {
      if (!std::isfinite(loss_sum.item<double>())) {
        throw DivergedError(batch.step, "non-finite " + options_.loss_name + " loss in epoch " +
                                            std::to_string(plan.epoch + 1) + " at step " + std::to_string(i + 1) +
                                            " of " + std::to_string(plan.steps));
      }
    }

    optimizer_.zero_grad();
    out.loss.backward();
    if (options_.after_backward) options_.after_backward();
    optimizer_.step();
    ++totals.steps;
  }
  if (loss_sum.defined()) totals.loss_sum = loss_sum.item<double>();
  if (correct.defined()) totals.correct = correct.item<int64_t>();
  totals.lr = current_lr(optimizer_);
  return totals;
}

namespace {

std::vector<torch::Tensor> optimized_parameters(torch::optim::Optimizer& optimizer) {
  std::vector<torch::Tensor> params;
  for (const auto& group : optimizer.param_groups()) {
    for (const auto& p : group.params()) {
      if (p.requires_grad()) params.push_back(p);
    }
  }
  return params;
}

}  // namespace

// The one-process loop above with a gradient collective between backward and the update. The
// finiteness check reads the global batch's loss from that collective, so every rank throws
// DivergedError at the same step, still before its update.
EpochTotals EpochDriver::run_data_parallel(const EpochPlan& plan, const StepFunction& step, DataParallel& group) const {
  EpochTotals totals;
  if (options_.lr_per_epoch) set_lr(optimizer_, options_.lr_per_epoch(plan.epoch));
  const std::vector<torch::Tensor> params = optimized_parameters(optimizer_);
  torch::Tensor correct;
  for (int64_t i = 0; i < plan.steps; ++i) {
    const StepBatch batch = begin_step(plan, i, &group);

    optimizer_.zero_grad();
    double share = 0, loss_value = 0, reported_loss = 0, reported_weight = 0;
    bool counts = true;
    if (!batch.indices.defined() || batch.indices.size(0) > 0) {
      const StepLoss out = step(batch);
      loss_value = out.loss.detach().to(torch::kDouble).item<double>();
      counts = out.weight_is_count;
      share = plan.order.defined() ? static_cast<double>(batch.indices.size(0)) : out.weight;
      if (counts) {
        reported_loss = loss_value * out.weight;
        reported_weight = out.weight;
      }
      if (out.correct.defined()) {
        correct = correct.defined() ? correct + out.correct : out.correct.to(torch::kInt64);
        totals.predictions += out.predictions;
      }
      out.loss.backward();
    }
    const auto sums = group.sync_gradients(params, share, loss_value, reported_loss, reported_weight,
                                           stop_requested());
    if (!std::isfinite(sums.loss)) {
      throw DivergedError(batch.step, "non-finite " + options_.loss_name + " loss in epoch " +
                                          std::to_string(plan.epoch + 1) + " at step " + std::to_string(i + 1) +
                                          " of " + std::to_string(plan.steps));
    }
    if (counts) {
      totals.loss_sum += sums.reported_loss;
      totals.weight_sum += sums.reported_weight;
    } else {
      totals.loss_sum += sums.loss;
      totals.weight_sum += 1;
    }
    if (options_.after_backward) options_.after_backward();
    optimizer_.step();
    ++totals.steps;
  }
  const auto counted = group.sum({correct.defined() ? static_cast<double>(correct.item<int64_t>()) : 0.0,
                                  static_cast<double>(totals.predictions)});
  totals.correct = static_cast<int64_t>(counted[0]);
  totals.predictions = static_cast<int64_t>(counted[1]);
  totals.lr = current_lr(optimizer_);
  return totals;
}

}  // namespace wei
