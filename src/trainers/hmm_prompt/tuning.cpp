#include "trainers/hmm_prompt/tuning.h"

#include <algorithm>
#include <cmath>

#include "base/int_math.h"
#include "train/epoch_driver.h"
#include "train/evaluation.h"
#include "train/schedule.h"

namespace wei::hmm_prompt {
namespace {

int64_t steps_per_epoch(int64_t n, int64_t batch_size) { return ceil_div(n, batch_size); }

// One epoch of minibatch Adam in the order `perm`; `batch_logits(index)` gives the logits of the
// examples `index` (a slice of `perm`).
EpochStats run_tuning_epoch(torch::optim::Adam& optimizer, const torch::Tensor& labels, const torch::Tensor& perm,
                            const TuneOptions& options, int64_t epoch, int64_t epochs, const StopToken& stop,
                            const std::function<torch::Tensor(const torch::Tensor&)>& batch_logits) {
  const int64_t per_epoch = steps_per_epoch(perm.size(0), options.batch_size);
  DriverOptions driver_options;
  driver_options.lr_per_step = [&](int64_t step) { return scheduled_lr(options, step, epochs * per_epoch); };
  driver_options.loss_name = "tuning";
  const EpochTotals totals = EpochDriver(optimizer, stop, driver_options)
                                 .run(EpochPlan::batches(perm, options.batch_size, epoch, epoch * per_epoch),
                                      [&](const StepBatch& b) {
                                        const auto y = labels.index_select(0, b.indices);
                                        const auto logits = batch_logits(b.indices);
                                        const auto examples = b.indices.size(0);
                                        return StepLoss{torch::cross_entropy_loss(logits, y),
                                                        static_cast<double>(examples), logits.argmax(1).eq(y).sum(),
                                                        examples};
                                      });
  return {totals.mean_loss(), totals.accuracy()};
}

}  // namespace

double scheduled_lr(const TuneOptions& options, int64_t step, int64_t total_steps) {
  Schedule schedule;
  schedule.kind = ScheduleKind::kLinear;
  schedule.base = options.lr;
  schedule.total = total_steps;
  schedule.warmup = static_cast<int64_t>(std::llround(options.warmup_fraction * static_cast<double>(total_steps)));
  return schedule_value(schedule, step);
}

ClassifierHeadImpl::ClassifierHeadImpl(HeadKind kind, int64_t features, int64_t classes) : kind_(kind) {
  if (kind == HeadKind::kAttention) score_ = register_module("score", torch::nn::Linear(features, 1));
  out_ = register_module("out", torch::nn::Linear(features, classes));
}

torch::Tensor ClassifierHeadImpl::forward(const torch::Tensor& probs) {
  if (kind_ == HeadKind::kLinear) return out_->forward(probs.select(1, 0));
  const auto weights = torch::softmax(score_->forward(probs), 1);  // [N, L, 1]
  return out_->forward((weights * probs).sum(1));
}

torch::Tensor mlm_probabilities(models::TransformerMlm& model, const torch::Tensor& inputs, int64_t batch_size,
                                const StopToken& stop) {
  return evaluate_in_batches({model.get()}, inputs.size(0), batch_size, stop, [&](int64_t start, int64_t length) {
    return torch::softmax(model->forward(inputs.narrow(0, start, length)), -1);
  });
}

EpochStats train_head_epoch(ClassifierHead& head, torch::optim::Adam& optimizer, const torch::Tensor& features,
                            const torch::Tensor& labels, const torch::Tensor& perm, const TuneOptions& options,
                            int64_t epoch, int64_t epochs, const StopToken& stop) {
  head->train();
  return run_tuning_epoch(optimizer, labels, perm, options, epoch, epochs, stop,
                          [&](const torch::Tensor& index) { return head->forward(features.index_select(0, index)); });
}

double head_accuracy(ClassifierHead& head, const torch::Tensor& features, const torch::Tensor& labels) {
  const EvalScope eval({head.get()});
  return head->forward(features).argmax(1).eq(labels).to(torch::kFloat64).mean().item<double>();
}

PromptedHeadImpl::PromptedHeadImpl(int64_t prompt_length, int64_t width, HeadKind kind, int64_t vocab,
                                   int64_t classes) {
  prompt = register_parameter("prompt", torch::zeros({prompt_length, width}));
  head = register_module("head", ClassifierHead(kind, vocab, classes));
}

PromptTuner::PromptTuner(models::TransformerMlm model, int64_t prompt_length, HeadKind kind, int64_t vocab,
                         int64_t classes, const TuneOptions& options)
    : model_(std::move(model)),
      trainable_(prompt_length, model_->options().width, kind, vocab, classes),
      vocab_(vocab),
      options_(options),
      optimizer_(trainable_->parameters(), torch::optim::AdamOptions(options.lr)) {
  // Moving a module keeps its parameter tensors (to() works in place), so the optimizer's
  // references stay valid.
  trainable_->to(model_->parameters().front().device());
}

void PromptTuner::init_prompt(at::Generator& gen) {
  torch::NoGradGuard no_grad;
  const auto& prompt = trainable_->prompt;
  const auto tokens = torch::randint(vocab_, {prompt.size(0)}, gen, torch::TensorOptions().dtype(torch::kInt64));
  trainable_->prompt.copy_(model_->embed(tokens.to(prompt.device())));
}

torch::Tensor PromptTuner::logits(const torch::Tensor& inputs) {
  const auto embedded = model_->embed(inputs);
  const auto prompt = trainable_->prompt.unsqueeze(0).expand({inputs.size(0), -1, -1});
  const auto out = model_->forward_embeddings(torch::cat({prompt, embedded}, 1));
  const int64_t p = trainable_->prompt.size(0);
  return trainable_->head->forward(torch::softmax(out.slice(1, p), -1));
}

EpochStats PromptTuner::train_epoch(const torch::Tensor& inputs, const torch::Tensor& labels,
                                    const torch::Tensor& perm, int64_t epoch, int64_t epochs,
                                    const StopToken& stop) {
  for (auto& p : model_->parameters()) p.set_requires_grad(false);
  model_->eval();  // frozen: no dropout either
  trainable_->train();
  return run_tuning_epoch(optimizer_, labels, perm, options_, epoch, epochs, stop,
                          [&](const torch::Tensor& index) { return logits(inputs.index_select(0, index)); });
}

double PromptTuner::accuracy(const torch::Tensor& inputs, const torch::Tensor& labels, const StopToken& stop) {
  const auto predictions =
      evaluate_in_batches({model_.get(), trainable_.get()}, inputs.size(0), options_.batch_size, stop,
                          [&](int64_t start, int64_t length) { return logits(inputs.narrow(0, start, length)).argmax(1); });
  const int64_t correct = predictions.eq(labels).sum().item<int64_t>();
  return static_cast<double>(correct) / static_cast<double>(inputs.size(0));
}

void PromptTuner::register_state(CheckpointBundle& bundle, const std::string& key) {
  bundle.add_module(key + "_params", *trainable_);
  bundle.add_optimizer(key + "_optimizer", optimizer_);
}

}  // namespace wei::hmm_prompt
