#pragma once
// The all-layer margin optimization (AMO) update of Wei & Ma (ICLR 2020), as the reference code's
// adv_update_full does it (cwein3/all-layer-margin-opt, update_loss_util.py):
//   1. a forward pass with a zero perturbation delta at every perturbation site of the WideResNet
//      (after each residual block's conv1 and conv2: out + ||out_b||_2 * delta_b);
//   2. `inner_steps` steps of SGD on the deltas (lr inner_lr, weight decay inner_weight_decay),
//      ascending the mean cross-entropy (a step after the first runs a new perturbed forward pass);
//   3. the loss the optimizer then minimises: the cross-entropy of a forward pass with the deltas
//      found, held fixed.
// The inner steps take gradients with respect to the deltas only (the reference also accumulates
// parameter gradients there, which its optimizer.zero_grad() then discards: the same update, at
// less cost).
#include <cstdint>

#include <torch/types.h>

#include "models/wide_resnet.h"

namespace wei::all_layer_margin {

struct AmoSettings {
  int64_t inner_steps = 1;
  double inner_lr = 0.01;
  double inner_weight_decay = 0.0;
  // The reference updates BatchNorm's running statistics in every pass of the step; false keeps
  // those of the first and inner passes out of them (only the outer pass counts).
  bool bn_stats_from_inner_passes = true;
};

struct AmoLoss {
  torch::Tensor loss;            // cross-entropy of the perturbed pass: what backward runs on
  torch::Tensor clean_logits;    // the first pass (zero deltas), detached: the reported accuracy
  torch::Tensor perturbed_logits;  // detached
  std::vector<torch::Tensor> deltas;  // the perturbation the outer pass used
};

// `model` in train mode, x a batch, y its labels.
AmoLoss amo_loss(models::WideResNet& model, const torch::Tensor& x, const torch::Tensor& y, const AmoSettings& settings);

}  // namespace wei::all_layer_margin
