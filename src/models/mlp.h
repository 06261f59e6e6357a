#pragma once
// A fully connected ReLU network: `depth` hidden layers of `width` units (Linear + ReLU), then a
// Linear layer to `outputs`; torch's default initialisation of every Linear.
#include <cstdint>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

namespace wei::models {

class MlpImpl : public torch::nn::Module {
 public:
  MlpImpl(int64_t inputs, int64_t width, int64_t depth, int64_t outputs);

  torch::Tensor forward(const torch::Tensor& x);
  // Every Linear layer, input to output.
  const std::vector<torch::nn::Linear>& layers() const { return layers_; }

 private:
  std::vector<torch::nn::Linear> layers_;
};

TORCH_MODULE(Mlp);

}  // namespace wei::models
