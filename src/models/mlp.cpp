#include "models/mlp.h"

#include <string>

namespace wei::models {

MlpImpl::MlpImpl(int64_t inputs, int64_t width, int64_t depth, int64_t outputs) {
  int64_t in = inputs;
  for (int64_t l = 0; l <= depth; ++l) {
    const int64_t out = l < depth ? width : outputs;
    layers_.push_back(register_module("linear" + std::to_string(l), torch::nn::Linear(in, out)));
    in = out;
  }
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x) {
  torch::Tensor h = x;
  for (size_t l = 0; l + 1 < layers_.size(); ++l) h = torch::relu(layers_[l]->forward(h));
  return layers_.back()->forward(h);
}

}  // namespace wei::models
