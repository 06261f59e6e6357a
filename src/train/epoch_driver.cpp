#include "train/epoch_driver.h"

#include <cmath>

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

EpochDriver::EpochDriver(torch::optim::Optimizer& optimizer, StopToken stop, DriverOptions options)
    : optimizer_(optimizer), stop_(std::move(stop)), options_(std::move(options)) {}

EpochTotals EpochDriver::run(const EpochPlan& plan, const StepFunction& step) const {
  EpochTotals totals;
  if (options_.lr_per_epoch) set_lr(optimizer_, options_.lr_per_epoch(plan.epoch));
  torch::Tensor loss_sum, correct;  // on the loss's device, created by the first step
  const int64_t n = plan.order.defined() ? plan.order.size(0) : 0;
  for (int64_t i = 0; i < plan.steps; ++i) {
    stop_.throw_if_requested();
    StepBatch batch;
    batch.step = plan.first_step + i;
    batch.index = i;
    if (plan.order.defined()) {
      const int64_t start = i * plan.batch_size;
      batch.indices = plan.order.narrow(0, start, std::min(plan.batch_size, n - start));
    }
    if (options_.lr_per_step) set_lr(optimizer_, options_.lr_per_step(batch.step));

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

}  // namespace wei
