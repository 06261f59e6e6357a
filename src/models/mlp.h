#pragma once
// A fully connected ReLU network: `depth` hidden layers of `width` units (Linear + ReLU), then a
// Linear layer to `outputs`; torch's default initialisation of every Linear.
//
// For the all-layer margin (train/all_layer_margin_step.h) each hidden layer's Linear output is a
// perturbation site: out -> out + ||out_b||_2 * delta_b, before the ReLU, the norm per example.
#include <cstdint>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

namespace wei::models {

class MlpImpl : public torch::nn::Module {
 public:
  MlpImpl(int64_t inputs, int64_t width, int64_t depth, int64_t outputs);

  torch::Tensor forward(const torch::Tensor& x) { return forward(x, nullptr, false); }
  // With one delta per site in `deltas`; with `create`, fills `deltas` with zeros that require grad.
  torch::Tensor forward(const torch::Tensor& x, std::vector<torch::Tensor>* deltas, bool create);
  int64_t perturbation_sites() const { return static_cast<int64_t>(layers_.size()) - 1; }
  // Every Linear layer, input to output.
  const std::vector<torch::nn::Linear>& layers() const { return layers_; }

 private:
  std::vector<torch::nn::Linear> layers_;
};

TORCH_MODULE(Mlp);

}  // namespace wei::models
