#include "trainers/max_margin/relu_network.h"

#include <cmath>

#include <torch/nn/functional/loss.h>

namespace wei::max_margin {

TwoLayerReluImpl::TwoLayerReluImpl(int64_t inputs, int64_t width)
    : hidden(register_module("hidden", torch::nn::Linear(inputs, width))),
      output(register_module("output", torch::nn::Linear(width, 2))) {}

torch::Tensor TwoLayerReluImpl::forward(const torch::Tensor& x) { return output(torch::relu(hidden(x))); }

namespace {
void glorot_fill(torch::Tensor& t, int64_t fan_in, int64_t fan_out, at::Generator& gen) {
  const double limit = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  t.copy_(torch::rand(t.sizes(), gen, torch::TensorOptions().dtype(torch::kDouble)).mul(2 * limit).sub(limit));
}
}  // namespace

void glorot_uniform_init(TwoLayerReluImpl& net, at::Generator& gen) {
  torch::NoGradGuard no_grad;
  for (torch::nn::Linear* layer : {&net.hidden, &net.output}) {
    const int64_t in = (*layer)->weight.size(1), out = (*layer)->weight.size(0);
    glorot_fill((*layer)->weight, in, out, gen);
    glorot_fill((*layer)->bias, 1, out, gen);
  }
}

torch::Tensor two_logit_sigmoid_loss(const torch::Tensor& logits, const torch::Tensor& labels) {
  const torch::Tensor one_hot = torch::one_hot(labels, 2).to(logits.dtype());
  return torch::nn::functional::binary_cross_entropy_with_logits(logits, one_hot);
}

torch::Tensor logit_margins(const torch::Tensor& logits, const torch::Tensor& labels) {
  const torch::Tensor own = logits.gather(1, labels.unsqueeze(1)).squeeze(1);
  const torch::Tensor other = logits.gather(1, (1 - labels).unsqueeze(1)).squeeze(1);
  return own - other;
}

}  // namespace wei::max_margin
