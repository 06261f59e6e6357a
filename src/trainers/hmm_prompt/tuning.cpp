#include "trainers/hmm_prompt/tuning.h"

#include <algorithm>
#include <cmath>

#include "core/errors.h"

namespace wei::hmm {
namespace {

void set_lr(torch::optim::Adam& optimizer, double lr) {
  for (auto& group : optimizer.param_groups())
    static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
}

int64_t steps_per_epoch(int64_t n, int64_t batch_size) { return (n + batch_size - 1) / batch_size; }

// Runs one epoch of minibatch Adam; `batch_logits(index)` gives the logits of the examples
// `index` (a slice of `perm`).
using LogitsFn = std::function<torch::Tensor(const torch::Tensor&)>;

EpochStats run_epoch(torch::optim::Adam& optimizer, const torch::Tensor& labels, const torch::Tensor& perm,
                     const TuneOptions& options, int64_t epoch, int64_t epochs, const StopCheck& stop,
                     const LogitsFn& batch_logits) {
  const int64_t n = perm.size(0);
  const int64_t per_epoch = steps_per_epoch(n, options.batch_size);
  double loss_sum = 0.0;
  int64_t correct = 0;
  for (int64_t b = 0; b < per_epoch; ++b) {
    if (stop && stop()) throw InterruptedError();
    const int64_t step = epoch * per_epoch + b;
    set_lr(optimizer, scheduled_lr(options, step, epochs * per_epoch));
    const auto index = perm.slice(0, b * options.batch_size, std::min(n, (b + 1) * options.batch_size));
    const auto y = labels.index_select(0, index);
    const auto logits = batch_logits(index);
    const auto loss = torch::cross_entropy_loss(logits, y);
    const double value = loss.item<double>();
    if (!std::isfinite(value)) throw DivergedError(step, "non-finite tuning loss");
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    loss_sum += value * static_cast<double>(index.size(0));
    correct += logits.argmax(1).eq(y).sum().item<int64_t>();
  }
  return {loss_sum / static_cast<double>(n), static_cast<double>(correct) / static_cast<double>(n)};
}

}  // namespace

double scheduled_lr(const TuneOptions& options, int64_t step, int64_t total_steps) {
  const auto warmup = static_cast<int64_t>(std::llround(options.warmup_fraction * static_cast<double>(total_steps)));
  if (step < warmup) return options.lr * static_cast<double>(step + 1) / static_cast<double>(warmup);
  return options.lr * static_cast<double>(total_steps - step) / static_cast<double>(std::max<int64_t>(1, total_steps - warmup));
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

torch::Tensor mlm_probabilities(TransformerMlm& model, const torch::Tensor& inputs, int64_t batch_size) {
  torch::NoGradGuard no_grad;
  const bool was_training = model->is_training();
  model->eval();
  std::vector<torch::Tensor> parts;
  for (int64_t start = 0; start < inputs.size(0); start += batch_size)
    parts.push_back(torch::softmax(model->forward(inputs.slice(0, start, start + batch_size)), -1));
  model->train(was_training);
  return torch::cat(parts, 0);
}

EpochStats train_head_epoch(ClassifierHead& head, torch::optim::Adam& optimizer, const torch::Tensor& features,
                            const torch::Tensor& labels, const torch::Tensor& perm, const TuneOptions& options,
                            int64_t epoch, int64_t epochs, const StopCheck& stop) {
  head->train();
  return run_epoch(optimizer, labels, perm, options, epoch, epochs, stop,
                   [&](const torch::Tensor& index) { return head->forward(features.index_select(0, index)); });
}

double head_accuracy(ClassifierHead& head, const torch::Tensor& features, const torch::Tensor& labels) {
  torch::NoGradGuard no_grad;
  head->eval();
  return head->forward(features).argmax(1).eq(labels).to(torch::kFloat64).mean().item<double>();
}

PromptedHeadImpl::PromptedHeadImpl(int64_t prompt_length, int64_t width, HeadKind kind, int64_t vocab,
                                   int64_t classes) {
  prompt = register_parameter("prompt", torch::zeros({prompt_length, width}));
  head = register_module("head", ClassifierHead(kind, vocab, classes));
}

PromptTuner::PromptTuner(TransformerMlm model, int64_t prompt_length, HeadKind kind, int64_t vocab,
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
                                    const StopCheck& stop) {
  for (auto& p : model_->parameters()) p.set_requires_grad(false);
  model_->eval();  // frozen: no dropout either
  trainable_->train();
  return run_epoch(optimizer_, labels, perm, options_, epoch, epochs, stop,
                   [&](const torch::Tensor& index) { return logits(inputs.index_select(0, index)); });
}

double PromptTuner::accuracy(const torch::Tensor& inputs, const torch::Tensor& labels) {
  torch::NoGradGuard no_grad;
  model_->eval();
  trainable_->eval();
  int64_t correct = 0;
  for (int64_t start = 0; start < inputs.size(0); start += options_.batch_size) {
    const auto x = inputs.slice(0, start, start + options_.batch_size);
    const auto y = labels.slice(0, start, start + options_.batch_size);
    correct += logits(x).argmax(1).eq(y).sum().item<int64_t>();
  }
  return static_cast<double>(correct) / static_cast<double>(inputs.size(0));
}

void PromptTuner::save(torch::serialize::OutputArchive& archive) const {
  torch::serialize::OutputArchive params, optim;
  trainable_->save(params);
  optimizer_.save(optim);
  archive.write("params", params);
  archive.write("optim", optim);
}

void PromptTuner::load(torch::serialize::InputArchive& archive) {
  torch::serialize::InputArchive params, optim;
  archive.read("params", params);
  archive.read("optim", optim);
  trainable_->load(params);
  optimizer_.load(optim);
}

}  // namespace wei::hmm
