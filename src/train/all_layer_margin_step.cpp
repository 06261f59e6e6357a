#include "train/all_layer_margin_step.h"

#include <torch/autograd.h>
#include <torch/nn/modules/batchnorm.h>

namespace wei {

namespace {

// Every BatchNorm buffer (running mean, variance and batch count), to put back after the inner passes.
std::vector<std::pair<torch::Tensor, torch::Tensor>> batchnorm_buffers(torch::nn::Module& model) {
  std::vector<std::pair<torch::Tensor, torch::Tensor>> saved;
  for (const auto& module : model.modules(/*include_self=*/false)) {
    if (!module->as<torch::nn::BatchNorm2d>() && !module->as<torch::nn::BatchNorm1d>()) continue;
    for (auto& buffer : module->buffers(/*recurse=*/false)) saved.emplace_back(buffer, buffer.clone());
  }
  return saved;
}

}  // namespace

AmoLoss amo_loss(torch::nn::Module& model, const PerturbedForward& forward, const LossOfLogits& loss,
                 const torch::Tensor& x, const torch::Tensor& y, const AmoSettings& settings) {
  std::vector<std::pair<torch::Tensor, torch::Tensor>> bn_before;
  if (!settings.bn_stats_from_inner_passes) bn_before = batchnorm_buffers(model);

  std::vector<torch::Tensor> deltas;
  torch::Tensor logits = forward(x, deltas, /*create=*/true);
  AmoLoss out;
  out.clean_logits = logits.detach();
  for (int64_t step = 0; step < settings.inner_steps; ++step) {
    if (step > 0) logits = forward(x, deltas, /*create=*/false);
    const std::vector<torch::Tensor> grads = torch::autograd::grad({loss(logits, y)}, deltas);
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < deltas.size(); ++i) {
      // SGD on -loss with weight decay: delta - lr * (-grad + wd * delta).
      torch::Tensor next = deltas[i] + settings.inner_lr * grads[i];
      if (settings.inner_weight_decay != 0) next -= settings.inner_lr * settings.inner_weight_decay * deltas[i];
      deltas[i] = next.requires_grad_(step + 1 < settings.inner_steps);
    }
  }
  for (auto& [buffer, saved] : bn_before) {
    torch::NoGradGuard no_grad;
    buffer.copy_(saved);
  }

  for (auto& delta : deltas) delta = delta.detach();
  const torch::Tensor perturbed = forward(x, deltas, /*create=*/false);
  out.loss = loss(perturbed, y);
  out.perturbed_logits = perturbed.detach();
  out.deltas = std::move(deltas);
  return out;
}

}  // namespace wei
