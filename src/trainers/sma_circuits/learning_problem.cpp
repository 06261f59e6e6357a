#include "trainers/sma_circuits/learning_problem.h"

#include <torch/nn/functional/loss.h>

namespace wei::sma_circuits {

torch::Tensor training_loss(const torch::Tensor& logits, const torch::Tensor& y, int64_t classes) {
  return classes == 2 ? torch::nn::functional::binary_cross_entropy_with_logits(logits, y.to(logits.scalar_type()))
                      : torch::nn::functional::cross_entropy(logits, y);
}

}  // namespace wei::sma_circuits
