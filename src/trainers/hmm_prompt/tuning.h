#pragma once
// Downstream tuning on a frozen pretrained MLM: heads, the learning-rate schedule, and the two
// modes of the paper.
//   head tuning:   a head on the softmaxed MLM predictions of the frozen model (features fixed,
//                  so they are computed once);
//   prompt tuning: learned continuous prompt vectors prepended to the input embeddings plus the
//                  same kind of head; gradients flow through the frozen model into the prompt.
// Every classifier input is a sequence of probability vectors [N, L, F] whose position 0 is the
// [MASK] prediction: the linear head reads position 0, the attention head pools all positions.
#include <cstdint>
#include <string>

#include <ATen/core/Generator.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/adam.h>

#include "base/stop_token.h"
#include "train/checkpoint_bundle.h"
#include "models/transformer_mlm.h"

namespace wei::hmm_prompt {

enum class HeadKind { kLinear, kAttention };

struct TuneOptions {
  double lr = 0.01;
  int64_t batch_size = 128;
  double warmup_fraction = 0.06;
};

// Linear warm-up from 0 over the first warmup_fraction of `total_steps`, then linear decay to 0.
double scheduled_lr(const TuneOptions& options, int64_t step, int64_t total_steps);

class ClassifierHeadImpl : public torch::nn::Module {
 public:
  ClassifierHeadImpl(HeadKind kind, int64_t features, int64_t classes);
  // probs [N, L, F] -> logits [N, classes]. Attention: weights softmax_t(u . p_t) over positions,
  // then a linear map of the weighted mean of p_t.
  torch::Tensor forward(const torch::Tensor& probs);

 private:
  HeadKind kind_;
  torch::nn::Linear score_{nullptr};
  torch::nn::Linear out_{nullptr};
};
TORCH_MODULE(ClassifierHead);

struct EpochStats {
  double loss = 0.0;
  double accuracy = 0.0;
};

// Softmaxed MLM predictions of `model` (eval mode, no grad) for inputs [N, L]: [N, L, V].
torch::Tensor mlm_probabilities(models::TransformerMlm& model, const torch::Tensor& inputs, int64_t batch_size,
                                const StopToken& stop);

// One epoch of Adam on fixed features in the order `perm`; the learning rate follows
// scheduled_lr over `epochs` epochs. Throws DivergedError on a non-finite loss and
// InterruptedError when `stop` says so.
EpochStats train_head_epoch(ClassifierHead& head, torch::optim::Adam& optimizer, const torch::Tensor& features,
                            const torch::Tensor& labels, const torch::Tensor& perm, const TuneOptions& options,
                            int64_t epoch, int64_t epochs, const StopToken& stop);
double head_accuracy(ClassifierHead& head, const torch::Tensor& features, const torch::Tensor& labels);

// The trainable part of prompt tuning.
class PromptedHeadImpl : public torch::nn::Module {
 public:
  PromptedHeadImpl(int64_t prompt_length, int64_t width, HeadKind kind, int64_t vocab, int64_t classes);
  torch::Tensor prompt;  // [P, width]
  ClassifierHead head{nullptr};
};
TORCH_MODULE(PromptedHead);

// Prompt tuning against a frozen model: the model's parameters get requires_grad = false and are
// never handed to the optimizer, so they stay bit-identical.
class PromptTuner {
 public:
  PromptTuner(models::TransformerMlm model, int64_t prompt_length, HeadKind kind, int64_t vocab, int64_t classes,
              const TuneOptions& options);

  // Sets the prompt to the model's embeddings of `prompt_length` uniformly random real tokens;
  // call it once the model is pretrained, before the first epoch.
  void init_prompt(at::Generator& gen);
  // inputs [N, 1 + visible]: [MASK] then tokens; the prompt goes in front of them. Freezes the
  // model (requires_grad = false) first.
  EpochStats train_epoch(const torch::Tensor& inputs, const torch::Tensor& labels, const torch::Tensor& perm,
                         int64_t epoch, int64_t epochs, const StopToken& stop);
  double accuracy(const torch::Tensor& inputs, const torch::Tensor& labels, const StopToken& stop);

  // The prompt, its head and their optimizer, under `key`.
  void register_state(CheckpointBundle& bundle, const std::string& key);
  const PromptedHead& trainable() const { return trainable_; }

 private:
  // Logits [N, classes] for inputs [N, 1 + visible].
  torch::Tensor logits(const torch::Tensor& inputs);

  models::TransformerMlm model_;
  PromptedHead trainable_;
  int64_t vocab_;
  TuneOptions options_;
  torch::optim::Adam optimizer_;
};

}  // namespace wei::hmm_prompt
