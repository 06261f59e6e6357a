#include "trainers/spurious_selftrain/objectives.h"

#include <torch/nn/functional.h>

namespace wei::spurious_selftrain {

torch::Tensor binary_entropy(const torch::Tensor& margins) {
  // With p = sigmoid(z): H = softplus(-z) + (1 - p) z, which stays finite for any |z|.
  const torch::Tensor p = torch::sigmoid(margins);
  return (torch::nn::functional::softplus(-margins) + (1 - p) * margins).mean();
}

torch::Tensor softmax_entropy(const torch::Tensor& logits) {
  const torch::Tensor log_p = torch::log_softmax(logits, 1);
  return -(log_p.exp() * log_p).sum(1).mean();
}

std::pair<torch::Tensor, torch::Tensor> confident_binary_labels(const torch::Tensor& margins,
                                                                double threshold) {
  torch::NoGradGuard no_grad;
  const torch::Tensor kept = (margins.abs() > threshold).nonzero().squeeze(1);
  return {(margins.index_select(0, kept) > 0).to(torch::kFloat), kept};
}

torch::Tensor logistic_loss(const torch::Tensor& margins, const torch::Tensor& labels) {
  return torch::nn::functional::softplus(-(2 * labels - 1) * margins).mean();
}

std::pair<torch::Tensor, torch::Tensor> confident_pseudo_labels(const torch::Tensor& logits,
                                                                double min_confidence) {
  torch::NoGradGuard no_grad;
  const auto [top_p, label] = torch::softmax(logits, 1).max(1);
  const torch::Tensor kept = (top_p >= min_confidence).nonzero().squeeze(1);
  return {label.index_select(0, kept), kept};
}

}  // namespace wei::spurious_selftrain
