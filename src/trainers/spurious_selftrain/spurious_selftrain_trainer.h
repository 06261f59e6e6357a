#pragma once
// Trainer "spurious_selftrain": Chen, Wei, Kumar, Ma, "Self-training Avoids Using Spurious
// Features Under Domain Shift" (NeurIPS 2020). A classifier trained on a source domain where a
// spurious feature predicts the label is adapted on unlabelled target data (where it does not)
// by conditional-entropy minimisation or pseudo-labelling. data.kind picks the experiment:
// gaussian (toy_trainer.h), colored_mnist or celeba (image_trainer.h).
#include "train/trainer.h"

namespace wei {

TrainerInfo spurious_selftrain_trainer_info();

}  // namespace wei
