#include "train/epoch_driver.h"

#include <cmath>
#include <optional>
#include <vector>

#include "base/errors.h"
#include "base/int_math.h"
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

EpochDriver::EpochDriver(torch::optim::Optimizer& optimizer, const RunContext& context, DriverOptions options)
    : optimizer_(optimizer), stop_(context.stop), meter_(context.meter), options_(std::move(options)) {}

StepBatch EpochDriver::begin_step(const EpochPlan& plan, int64_t i, const DataParallel* group) const {
  stop_.throw_if_requested();
  StepBatch batch;
  batch.step = plan.first_step + i;
  batch.index = i;
  batch.meter = meter_;
  if (plan.order.defined()) {
    const int64_t start = i * plan.batch_size;
    batch.indices = plan.order.narrow(0, start, std::min(plan.batch_size, plan.order.size(0) - start));
    if (meter_) meter_->examples += batch.indices.size(0);
    if (group) batch.indices = group->shard(batch.indices);
  }
  if (options_.lr_per_step) set_lr(optimizer_, options_.lr_per_step(batch.step));
  return batch;
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

// The epoch's running sums. In one process they stay on the loss's device and are read back only
// for the finiteness checks; in a data-parallel run each step's collective gives the global batch's
// loss, so every rank checks (and throws) at the same step.
class StepSums {
 public:
  StepSums(const EpochPlan& plan, DataParallel* group, int64_t finite_check_every)
      : plan_(plan), group_(group), check_every_(finite_check_every) {}

  // This rank's step result (none when its shard was empty), after backward; in a data-parallel run
  // this combines the ranks' gradients. Returns the loss to check, NaN-free unless it diverged, or
  // nullopt when this step is not checked.
  std::optional<double> add(const StepBatch& batch, const std::optional<StepLoss>& out,
                            const std::vector<torch::Tensor>& params, EpochTotals& totals) {
    if (out && out->correct.defined()) {
      correct_ = correct_.defined() ? correct_ + out->correct : out->correct.to(torch::kInt64);
      totals.predictions += out->predictions;
    }
    if (!group_) {
      const torch::Tensor weighted = out->loss.detach().to(torch::kDouble) * out->weight;
      loss_sum_ = loss_sum_.defined() ? loss_sum_ + weighted : weighted;
      totals.weight_sum += out->weight;
      const bool checked = (batch.index + 1) % check_every_ == 0 || batch.index + 1 == plan_.steps;
      return checked ? std::optional<double>(loss_sum_.item<double>()) : std::nullopt;
    }
    double share = 0, loss_value = 0, reported_loss = 0, reported_weight = 0;
    bool counts = true;
    if (out) {
      loss_value = out->loss.detach().to(torch::kDouble).item<double>();
      counts = out->weight_is_count;
      share = plan_.order.defined() ? static_cast<double>(batch.indices.size(0)) : out->weight;
      if (counts) {
        reported_loss = loss_value * out->weight;
        reported_weight = out->weight;
      }
    }
    const auto sums = group_->sync_gradients(params, share, loss_value, reported_loss, reported_weight);
    totals.loss_sum += counts ? sums.reported_loss : sums.loss;
    totals.weight_sum += counts ? sums.reported_weight : 1.0;
    return sums.loss;
  }

  // Fills the totals' loss sum and correct count (summed over the ranks).
  void finish(EpochTotals& totals) {
    if (!group_) {
      if (loss_sum_.defined()) totals.loss_sum = loss_sum_.item<double>();
      if (correct_.defined()) totals.correct = correct_.item<int64_t>();
      return;
    }
    const auto counted = group_->sum({correct_.defined() ? static_cast<double>(correct_.item<int64_t>()) : 0.0,
                                      static_cast<double>(totals.predictions)});
    totals.correct = static_cast<int64_t>(counted[0]);
    totals.predictions = static_cast<int64_t>(counted[1]);
  }

 private:
  const EpochPlan& plan_;
  DataParallel* group_;
  int64_t check_every_;
  torch::Tensor loss_sum_, correct_;  // one process: on the loss's device, created by the first step
};

}  // namespace

EpochTotals EpochDriver::run(const EpochPlan& plan, const StepFunction& step) const {
  DataParallel* group = current_data_parallel();
  EpochTotals totals;
  if (options_.lr_per_epoch) set_lr(optimizer_, options_.lr_per_epoch(plan.epoch));
  if (options_.on_epoch_start) options_.on_epoch_start(plan.epoch);
  const std::vector<torch::Tensor> params = group ? optimized_parameters(optimizer_) : std::vector<torch::Tensor>{};
  StepSums sums(plan, group, options_.finite_check_every);
  for (int64_t i = 0; i < plan.steps; ++i) {
    const StepBatch batch = begin_step(plan, i, group);
    // A rank whose shard of a short last batch is empty takes no forward step but joins the collective.
    std::optional<StepLoss> out;
    if (!batch.indices.defined() || batch.indices.size(0) > 0) out = step(batch);
    optimizer_.zero_grad();
    if (out) out->loss.backward();
    const std::optional<double> loss = sums.add(batch, out, params, totals);
    if (loss && !std::isfinite(*loss)) {
      throw DivergedError(batch.step, "non-finite " + options_.loss_name + " loss in epoch " +
                                          std::to_string(plan.epoch + 1) + " at step " + std::to_string(i + 1) +
                                          " of " + std::to_string(plan.steps));
    }
    if (options_.after_backward) options_.after_backward();
    optimizer_.step();
    ++totals.steps;
    if (meter_) meter_->steps_done = batch.step + 1;
    if (options_.after_step) options_.after_step(batch);
  }
  sums.finish(totals);
  totals.lr = current_lr(optimizer_);
  return totals;
}

}  // namespace wei
