#include "trainers/all_layer_margin/amo_step.h"

#include <torch/nn/functional/loss.h>

namespace wei::all_layer_margin {

AmoLoss amo_loss(models::WideResNet& model, const torch::Tensor& x, const torch::Tensor& y, const AmoSettings& settings) {
  const PerturbedForward forward = [&model](const torch::Tensor& in, std::vector<torch::Tensor>& deltas, bool create) {
    models::WideResNetPerturbation p;
    p.deltas = deltas;
    p.create_deltas = create;
    const torch::Tensor logits = model->forward(in, &p);
    deltas = std::move(p.deltas);
    return logits;
  };
  const LossOfLogits cross_entropy = [](const torch::Tensor& logits, const torch::Tensor& labels) {
    return torch::nn::functional::cross_entropy(logits, labels);
  };
  return wei::amo_loss(*model, forward, cross_entropy, x, y, settings);
}

}  // namespace wei::all_layer_margin
