#pragma once
// HaoChen, Wei, Lee, Ma, "Shape Matters: Understanding the Implicit Bias of the Noise Covariance"
// (COLT 2021), quadratically parameterised sparse regression: f(x) = <v*v, x>.
#include "train/trainer.h"

namespace wei {

TrainerInfo label_noise_sgd_trainer_info();

}  // namespace wei
