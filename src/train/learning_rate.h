#pragma once
// Setting and reading the learning rate of any torch optimizer (SGD, Adam, AdamW, RMSprop,
// Adagrad, LBFGS, ...), through the options every parameter group carries.
#include <torch/optim/optimizer.h>

namespace wei {

// Sets `lr` on every parameter group.
void set_lr(torch::optim::Optimizer& optimizer, double lr);
// The learning rate of the first parameter group.
double current_lr(const torch::optim::Optimizer& optimizer);

}  // namespace wei
