#include "models/mlp.h"

#include <stdexcept>
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

torch::Tensor MlpImpl::forward(const torch::Tensor& x, std::vector<torch::Tensor>* deltas, bool create) {
  if (deltas && create) deltas->clear();
  if (deltas && !create && static_cast<int64_t>(deltas->size()) != perturbation_sites()) {
    throw std::invalid_argument("Mlp: one delta per perturbation site expected");
  }
  torch::Tensor h = x;
  for (size_t l = 0; l + 1 < layers_.size(); ++l) {
    torch::Tensor out = layers_[l]->forward(h);
    if (deltas) {
      if (create) deltas->push_back(torch::zeros_like(out).requires_grad_(true));
      const torch::Tensor norms = out.norm(2, {1}, /*keepdim=*/true);
      // Deltas created by this pass are zero, so the path through the norms carries an exactly zero
      // gradient: detaching it changes no gradient and saves the norm's backward.
      out = out + (create ? norms.detach() : norms) * (*deltas)[l];
    }
    h = torch::relu(out);
  }
  return layers_.back()->forward(h);
}

}  // namespace wei::models
