#pragma once
// The network of the notebook's hypersphere experiment ("depth 2"): Linear(dim, width) + ReLU +
// Linear(width, 2), both layers with biases, trained on TensorFlow's sigmoid cross-entropy of the
// two logits against the one-hot label.
#include <cstdint>

#include <ATen/core/Generator.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

namespace wei::max_margin {

struct TwoLayerReluImpl : torch::nn::Module {
  TwoLayerReluImpl(int64_t inputs, int64_t width);
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Linear hidden{nullptr};
  torch::nn::Linear output{nullptr};
};
TORCH_MODULE(TwoLayerRelu);

// The notebook's TensorFlow 1 initialisation: every weight and bias Glorot-uniform,
// U(-sqrt(6 / (fan_in + fan_out)), +...), a bias counting as a [1, out] matrix (TF's default
// initialiser for tf.get_variable).
void glorot_uniform_init(TwoLayerReluImpl& net, at::Generator& gen);

// mean over the batch and both outputs of sigmoid cross-entropy(logits, one_hot(labels)), as
// tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(...)).
torch::Tensor two_logit_sigmoid_loss(const torch::Tensor& logits, const torch::Tensor& labels);

// logit of the label minus the other logit, per point.
torch::Tensor logit_margins(const torch::Tensor& logits, const torch::Tensor& labels);

}  // namespace wei::max_margin
