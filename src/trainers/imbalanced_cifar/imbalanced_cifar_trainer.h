#pragma once
// Trainer "imbalanced_cifar": LDAM-DRW (Cao, Wei, Gaidon, Arechiga, Ma, NeurIPS 2019) and the
// baselines of its Table 2 (ERM, focal, LDAM, CB re-sampling / re-weighting / focal, M-DRW,
// HG-DRS, LDAM-HG-DRS) on long-tailed or step-imbalanced CIFAR-10/100 with ResNet-32.
// Keys: imbalanced_cifar_options.h.
#include "train/trainer.h"

namespace wei {

TrainerInfo imbalanced_cifar_trainer_info();

}  // namespace wei
