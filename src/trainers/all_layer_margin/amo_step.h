#pragma once
// AMO (train/all_layer_margin_step.h) on the WideResNet of the all_layer_margin trainer: its
// perturbation sites are after each residual block's conv1 and conv2, its loss the mean
// cross-entropy.
#include <torch/types.h>

#include "models/wide_resnet.h"
#include "train/all_layer_margin_step.h"

namespace wei::all_layer_margin {

// `model` in train mode, x a batch, y its labels.
AmoLoss amo_loss(models::WideResNet& model, const torch::Tensor& x, const torch::Tensor& y, const AmoSettings& settings);

}  // namespace wei::all_layer_margin
