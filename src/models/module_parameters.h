#pragma once
// Whole-module operations on parameters that every model family needs: the size reported in a run's
// data block and the channels-last layout of the CIFAR trainers.
#include <cstdint>

#include <torch/nn/module.h>

namespace wei::models {

// Scalar parameters of `module` and its submodules (buffers such as BatchNorm statistics excluded).
int64_t parameter_count(const torch::nn::Module& module);

// Copies `from`'s parameters and buffers into `into`'s, in place (same architecture: same order and
// shapes), without autograd: a fresh initialisation, or the weights kept at the best evaluation.
void copy_weights(const torch::nn::Module& from, torch::nn::Module& into);

// Stores every 4-d weight of `module` channels-last (NHWC) in place, keeping values and identity
// (optimisers built before or after see the same tensors); inputs should then be channels-last too.
void to_channels_last(torch::nn::Module& module);

}  // namespace wei::models
