#pragma once
// Batched evaluation: no autograd, modules in eval mode for the duration, each module's previous
// train/eval mode restored afterwards (also when the evaluation is left by an exception).
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/nn/module.h>
#include <torch/types.h>
#include <torch/utils.h>

#include "base/stop_token.h"

namespace wei {

// Eval mode for `modules` for the scope's lifetime, each module's previous mode restored after;
// autograd as it was (for evaluations that need gradients, such as a margin search).
class EvalModeScope {
 public:
  explicit EvalModeScope(std::initializer_list<torch::nn::Module*> modules);
  ~EvalModeScope();
  EvalModeScope(const EvalModeScope&) = delete;
  EvalModeScope& operator=(const EvalModeScope&) = delete;

 private:
  std::vector<std::pair<torch::nn::Module*, bool>> previous_;  // module, was training
};

// Eval mode and no autograd.
class EvalScope {
 public:
  explicit EvalScope(std::initializer_list<torch::nn::Module*> modules) : modes_(modules) {}

 private:
  torch::NoGradGuard no_grad_;
  EvalModeScope modes_;
};

using BatchForward = std::function<torch::Tensor(int64_t start, int64_t length)>;

// forward(start, length) over [0, n) in consecutive batches of `batch_size` inside an EvalScope of
// `modules`, polling `stop` before each batch; the outputs concatenated along dim 0. n must be > 0.
torch::Tensor evaluate_in_batches(std::initializer_list<torch::nn::Module*> modules, int64_t n, int64_t batch_size,
                                  const StopToken& stop, const BatchForward& forward);

// Per-class tallies of `predictions` against `targets` (int64 [N], any device): the examples of
// each class and how many of them are predicted right.
struct ClassTally {
  std::vector<double> examples, correct;  // [classes]
  // Percent right of each class's examples (0 for a class without examples).
  std::vector<double> accuracy() const;
};
ClassTally class_tally(const torch::Tensor& predictions, const torch::Tensor& targets, int64_t classes);

// The classification scores of `logits` [N, C] against `labels` [N] in a history row: the mean
// cross-entropy as <prefix>loss, the accuracy in % as <prefix>accuracy and, with `with_error`,
// 100 - accuracy as <prefix>error.
void add_scores(nlohmann::ordered_json& row, const std::string& prefix, const torch::Tensor& logits,
                const torch::Tensor& labels, bool with_error = false);

}  // namespace wei
