#pragma once
// The all-layer margin optimization (AMO) update of Wei & Ma (ICLR 2020), for any network that can
// run a forward pass with a perturbation delta_s at each of its perturbation sites s
// (out_s -> out_s + ||out_s,b||_2 * delta_s,b, the norm per example), as the reference code's
// adv_update_full does it (cwein3/all-layer-margin-opt, update_loss_util.py):
//   1. a forward pass with zero deltas at every site;
//   2. `inner_steps` steps of SGD on the deltas (lr inner_lr, weight decay inner_weight_decay),
//      ascending the loss (a step after the first runs a new perturbed forward pass);
//   3. the loss the optimizer then minimises: that of a forward pass with the deltas found, held
//      fixed.
// The inner steps take gradients with respect to the deltas only (the reference also accumulates
// parameter gradients there, which its optimizer.zero_grad() then discards: the same update, at
// less cost).
#include <cstdint>
#include <functional>
#include <vector>

#include <torch/nn/module.h>
#include <torch/types.h>

namespace wei {

struct AmoSettings {
  int64_t inner_steps = 1;
  double inner_lr = 0.01;
  double inner_weight_decay = 0.0;
  // The reference updates BatchNorm's running statistics in every pass of the step; false keeps
  // those of the first and inner passes out of them (only the outer pass counts).
  bool bn_stats_from_inner_passes = true;
};

struct AmoLoss {
  torch::Tensor loss;                 // the loss of the perturbed pass: what backward runs on
  torch::Tensor clean_logits;         // the first pass (zero deltas), detached: the reported accuracy
  torch::Tensor perturbed_logits;     // detached
  std::vector<torch::Tensor> deltas;  // the perturbation the outer pass used
};

// The network's logits of x with `deltas` at its sites; with `create`, the pass fills `deltas` with
// zeros that require grad (one per site, shaped like the site's output).
using PerturbedForward =
    std::function<torch::Tensor(const torch::Tensor& x, std::vector<torch::Tensor>& deltas, bool create)>;
// The training loss of logits against labels (the mean cross-entropy, the logistic loss ...).
using LossOfLogits = std::function<torch::Tensor(const torch::Tensor& logits, const torch::Tensor& y)>;

// `model` (in train mode) is the module whose BatchNorm statistics the passes update.
AmoLoss amo_loss(torch::nn::Module& model, const PerturbedForward& forward, const LossOfLogits& loss,
                 const torch::Tensor& x, const torch::Tensor& y, const AmoSettings& settings);

}  // namespace wei
