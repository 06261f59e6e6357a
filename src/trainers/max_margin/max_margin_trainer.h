#pragma once
// Trainer "max_margin": Glasgow, Wei, Wootters, Ma, "Max-Margin Works while Large Margin Fails:
// Generalization without Uniform Convergence" (ICLR 2023), in the settings of Nagarajan & Kolter,
// "Uniform convergence may be unable to explain generalization in deep learning" (NeurIPS 2019).
// `setting` picks the experiment: linear (linear_trainer.h: the exact max-margin classifier,
// logistic regression, a near-max-margin, the noise memoriser and a half-margin classifier with
// their test and S' errors) or hypersphere (hypersphere_trainer.h: the notebook's 2-layer ReLU
// network on two concentric spheres).
#include "train/trainer.h"

namespace wei {

TrainerInfo max_margin_trainer_info();

}  // namespace wei
