#include "trainers/self_training/consistency_losses.h"

#include <torch/autograd.h>
#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/loss.h>

namespace wei::self_training {

namespace F = torch::nn::functional;

PseudoLabelTerm masked_pseudo_label_loss(const torch::Tensor& labelling_logits, const torch::Tensor& student_logits,
                                         double threshold) {
  PseudoLabelTerm term;
  {
    const torch::NoGradGuard no_grad;
    const auto [confidence, labels] = torch::softmax(labelling_logits.detach().to(torch::kFloat), 1).max(1);
    term.mask = confidence.ge(threshold).to(torch::kFloat);
    term.labels = labels;
  }
  const torch::Tensor per_example =
      F::cross_entropy(student_logits, term.labels, F::CrossEntropyFuncOptions().reduction(torch::kNone));
  term.loss = (per_example * term.mask).mean();
  return term;
}

torch::Tensor mean_kl_divergence(const torch::Tensor& p_logits, const torch::Tensor& q_logits) {
  const torch::Tensor log_p = torch::log_softmax(p_logits.detach(), 1);
  const torch::Tensor log_q = torch::log_softmax(q_logits, 1);
  return (log_p.exp() * (log_p - log_q)).sum(1).mean();
}

torch::Tensor unit_rows(const torch::Tensor& t) {
  const torch::Tensor flat = t.reshape({t.size(0), -1});
  const torch::Tensor norms = flat.norm(2, 1, /*keepdim=*/true);
  return (flat / norms.clamp_min(1e-12)).reshape(t.sizes());
}

torch::Tensor vat_perturbation(const LogitsOf& logits_of, const torch::Tensor& x, const torch::Tensor& clean_logits,
                               double radius, double xi, at::Generator& gen) {
  const torch::Tensor d0 = torch::randn(x.sizes(), gen, torch::kFloat).to(x.device(), x.scalar_type());
  torch::Tensor d = (xi * unit_rows(d0)).detach().requires_grad_(true);
  const torch::Tensor divergence = mean_kl_divergence(clean_logits, logits_of(x.detach() + d));
  const torch::Tensor g = torch::autograd::grad({divergence}, {d})[0];
  return (radius * unit_rows(g)).detach();
}

}  // namespace wei::self_training
