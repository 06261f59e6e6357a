#include "trainers/imbalanced_cifar/losses.h"

#include <stdexcept>

#include <torch/nn/functional.h>

namespace wei::imbalanced_cifar {
namespace {

namespace F = torch::nn::functional;

// Mean of per-example losses, weighted by class_weights[target] when given.
torch::Tensor weighted_mean(const torch::Tensor& per_example, const torch::Tensor& targets,
                            const torch::Tensor& class_weights) {
  if (!class_weights.defined()) return per_example.mean();
  auto w = class_weights.index_select(0, targets);
  return (per_example * w).sum() / w.sum();
}

torch::Tensor per_example_ce(const torch::Tensor& logits, const torch::Tensor& targets) {
  return F::cross_entropy(logits, targets, F::CrossEntropyFuncOptions().reduction(torch::kNone));
}

}  // namespace

const NamedValues<LossType>& loss_type_names() {
  static const NamedValues<LossType> names = {{"ce", LossType::kCe},           {"focal", LossType::kFocal},
                                              {"ldam", LossType::kLdam},       {"margin_ce", LossType::kMarginCe},
                                              {"hinge", LossType::kHinge},     {"ldam_hinge", LossType::kLdamHinge}};
  return names;
}

bool uses_cosine_logits(LossType type) {
  return type == LossType::kLdam || type == LossType::kMarginCe || type == LossType::kHinge ||
         type == LossType::kLdamHinge;
}

torch::Tensor weighted_cross_entropy(const torch::Tensor& logits, const torch::Tensor& targets,
                                 const torch::Tensor& class_weights) {
  return weighted_mean(per_example_ce(logits, targets), targets, class_weights);
}

torch::Tensor focal_loss(const torch::Tensor& logits, const torch::Tensor& targets, double gamma,
                         const torch::Tensor& class_weights) {
  auto ce = per_example_ce(logits, targets);
  if (class_weights.defined()) ce = ce * class_weights.index_select(0, targets);
  auto p = torch::exp(-ce);
  return (torch::pow(1 - p, gamma) * ce).mean();
}

torch::Tensor margin_cross_entropy_loss(const torch::Tensor& logits, const torch::Tensor& targets,
                                        const torch::Tensor& margins, double scale,
                                        const torch::Tensor& class_weights) {
  auto shift = torch::zeros_like(logits).scatter_(1, targets.unsqueeze(1),
                                                  margins.index_select(0, targets).unsqueeze(1));
  return weighted_cross_entropy((logits - shift) * scale, targets, class_weights);
}

torch::Tensor multiclass_hinge_loss(const torch::Tensor& logits, const torch::Tensor& targets,
                                    const torch::Tensor& margins, double scale,
                                    const torch::Tensor& class_weights) {
  auto z = logits * scale;
  auto true_logit = z.gather(1, targets.unsqueeze(1)).squeeze(1);
  // The true class is masked with -inf so the max runs over j != y only.
  auto others = z.scatter(1, targets.unsqueeze(1), -std::numeric_limits<float>::infinity());
  auto runner_up = std::get<0>(others.max(1));
  auto per_example = torch::relu(runner_up - true_logit + scale * margins.index_select(0, targets));
  return weighted_mean(per_example, targets, class_weights);
}

torch::Tensor imbalance_loss(const LossConfig& config, const torch::Tensor& logits,
                             const torch::Tensor& targets, const torch::Tensor& class_weights) {
  switch (config.type) {
    case LossType::kCe:
      return weighted_cross_entropy(logits, targets, class_weights);
    case LossType::kFocal:
      return focal_loss(logits, targets, config.focal_gamma, class_weights);
    case LossType::kLdam:
    case LossType::kMarginCe:
      return margin_cross_entropy_loss(logits, targets, config.margins, config.scale, class_weights);
    case LossType::kHinge:
    case LossType::kLdamHinge:
      return multiclass_hinge_loss(logits, targets, config.margins, config.scale, class_weights);
  }
  throw std::logic_error("imbalance_loss: unhandled loss type");
}

}  // namespace wei::imbalanced_cifar
