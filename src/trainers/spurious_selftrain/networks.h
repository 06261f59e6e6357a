#pragma once
// The classifiers of the colored-MNIST and CelebA experiments, as plain Sequentials, and a
// seeded re-initialisation so model init draws from the run's "init" stream (not torch's
// global generator).
#include <ATen/core/Generator.h>
#include <torch/nn/modules/container/sequential.h>

namespace wei::spurious_selftrain {

// Flatten, then Linear+ReLU per hidden width, then Linear to `classes` (paper: 1568-128-64-10).
torch::nn::Sequential make_mlp(int64_t inputs, const std::vector<int64_t>& hidden, int64_t classes);

// The "conv-small" CNN of VAT (Miyato et al. 2018) for 3x32x32 inputs, as used by Chen et al.:
// 3x[conv3x3 w, BN, LeakyReLU 0.1], maxpool 2, 3x[conv3x3 2w, ...], maxpool 2, conv3x3 2w (valid),
// conv1x1 2w, conv1x1 2w, global average pool, Linear to `classes`. VAT uses w = 96 and dropout
// after each pool; dropout is left out here so every random draw comes from a checkpointed stream.
torch::nn::Sequential make_small_cnn(int64_t width, int64_t classes);

// Re-draws every Linear/Conv weight and bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (torch's
// default distribution) with `gen`; BatchNorm keeps weight 1, bias 0.
void reinitialise(torch::nn::Module& model, at::Generator& gen);

}  // namespace wei::spurious_selftrain
