#pragma once
// Batched evaluation: no autograd, modules in eval mode for the duration, each module's previous
// train/eval mode restored afterwards (also when the evaluation is left by an exception).
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <utility>
#include <vector>

#include <torch/nn/module.h>
#include <torch/types.h>
#include <torch/utils.h>

#include "base/stop_token.h"

namespace wei {

class EvalScope {
 public:
  explicit EvalScope(std::initializer_list<torch::nn::Module*> modules);
  ~EvalScope();
  EvalScope(const EvalScope&) = delete;
  EvalScope& operator=(const EvalScope&) = delete;

 private:
  torch::NoGradGuard no_grad_;
  std::vector<std::pair<torch::nn::Module*, bool>> previous_;  // module, was training
};

using BatchForward = std::function<torch::Tensor(int64_t start, int64_t length)>;

// forward(start, length) over [0, n) in consecutive batches of `batch_size` inside an EvalScope of
// `modules`, polling `stop` before each batch; the outputs concatenated along dim 0. n must be > 0.
torch::Tensor evaluate_in_batches(std::initializer_list<torch::nn::Module*> modules, int64_t n, int64_t batch_size,
                                  const StopToken& stop, const BatchForward& forward);

}  // namespace wei
