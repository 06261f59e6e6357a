#pragma once
// Trainer "all_layer_margin": Wei & Ma, "Improved Sample Complexities for Deep Networks and Robust
// Classification via an All-Layer Margin" (ICLR 2020). A WideResNet trained on CIFAR-10/100 with
// SGD or with all-layer margin optimization (AMO, amo_step.h), the reference recipe
// (cwein3/all-layer-margin-opt); every epoch reports the clean test error, and every
// margin.every epochs an estimate of the all-layer margin of fixed training and test examples
// (all_layer_margin_estimate.h). Keys: all_layer_margin_options.h.
#include "train/trainer.h"

namespace wei {

TrainerInfo all_layer_margin_trainer_info();

}  // namespace wei
