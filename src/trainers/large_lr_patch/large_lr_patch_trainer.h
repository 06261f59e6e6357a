#pragma once
// Trainer "large_lr_patch": Li, Wei & Ma, "Towards Explaining the Regularization Effect of Initial
// Large Learning Rate in Training Neural Networks" (NeurIPS 2019), the memorizable-patch experiment
// of the reference code (cwein3/large-lr-code, train_patches.py). A WideResNet (the reference's:
// models::WideResNetVariant::kStandard) trained with SGD on CIFAR-10 without crop or flip, where a
// fixed share of the training images carries a class-dependent patch (patch_transform.h), with a
// large learning rate annealed once, a small fixed one, or the small one plus activation noise.
// Every epoch reports the clean test accuracy (the headline), the accuracy on the test set with the
// same patch transform, and the accuracy on zero images carrying only the patch of a random label
// (has the model memorised the patch?). Keys: large_lr_patch_options.h.
#include "train/trainer.h"

namespace wei {

TrainerInfo large_lr_patch_trainer_info();

}  // namespace wei
