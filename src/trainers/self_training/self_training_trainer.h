#pragma once
// Trainer "self_training": semi-supervised learning on CIFAR-10 with few labels, the family of
// methods that Wei, Shen, Chen & Ma (ICLR 2021, "Theoretical Analysis of Self-Training with Deep
// Networks on Unlabeled Data") explain: supervised training on the labelled subset alone,
// pseudo-labelling without input consistency, and FixMatch (Sohn et al. 2020), whose pseudo-labels
// from a weakly augmented view train the prediction on a strongly augmented view of the same image.
// The recipe of google-research/fixmatch: WRN-28-2 with leaky ReLU 0.1 and BatchNorm momentum 0.001,
// SGD 0.03 Nesterov 0.9, weight decay 5e-4 on weights only, lr * cos(7 pi k / 16 K), 64 labelled
// + 7 x 64 unlabelled images a step in one forward pass, an EMA of the weights (0.999) evaluated
// every 1024 steps, the median error of the last 20 evaluations reported. Keys:
// self_training_options.h.
#include "train/trainer.h"

namespace wei {

TrainerInfo self_training_trainer_info();

}  // namespace wei
