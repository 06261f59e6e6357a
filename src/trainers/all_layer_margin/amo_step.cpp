#include "trainers/all_layer_margin/amo_step.h"

#include <torch/autograd.h>
#include <torch/nn/functional.h>
#include <torch/nn/modules/batchnorm.h>

namespace wei::all_layer_margin {

namespace {

// Every BatchNorm buffer (running mean, variance and batch count), to put back after the inner passes.
std::vector<std::pair<torch::Tensor, torch::Tensor>> batchnorm_buffers(models::WideResNet& model) {
  std::vector<std::pair<torch::Tensor, torch::Tensor>> saved;
  for (const auto& module : model->modules(/*include_self=*/false)) {
    if (!module->as<torch::nn::BatchNorm2d>()) continue;
    for (auto& buffer : module->buffers(/*recurse=*/false)) saved.emplace_back(buffer, buffer.clone());
  }
  return saved;
}

}  // namespace

AmoLoss amo_loss(models::WideResNet& model, const torch::Tensor& x, const torch::Tensor& y, const AmoSettings& settings) {
  std::vector<std::pair<torch::Tensor, torch::Tensor>> bn_before;
  if (!settings.bn_stats_from_inner_passes) bn_before = batchnorm_buffers(model);

  models::WideResNetPerturbation inner;
  inner.create_deltas = true;
  torch::Tensor logits = model->forward(x, &inner);
  AmoLoss out;
  out.clean_logits = logits.detach();
  std::vector<torch::Tensor> deltas = std::move(inner.deltas);
  for (int64_t step = 0; step < settings.inner_steps; ++step) {
    if (step > 0) {
      models::WideResNetPerturbation again;
      again.deltas = deltas;
      logits = model->forward(x, &again);
    }
    const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, y);
    const std::vector<torch::Tensor> grads = torch::autograd::grad({loss}, deltas);
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

  models::WideResNetPerturbation outer;
  for (auto& delta : deltas) outer.deltas.push_back(delta.detach());
  const torch::Tensor perturbed = model->forward(x, &outer);
  out.loss = torch::nn::functional::cross_entropy(perturbed, y);
  out.perturbed_logits = perturbed.detach();
  out.deltas = std::move(outer.deltas);
  return out;
}

}  // namespace wei::all_layer_margin
