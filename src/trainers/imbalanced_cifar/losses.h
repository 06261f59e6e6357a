#pragma once
// The losses of LDAM-DRW (Cao et al. 2019) and its baselines. All take float logits [B, C] and
// int64 targets [B]; `class_weights` is a float [C] tensor on the logits' device, or undefined for
// uniform weights. A weighted loss is normalised like torch's cross_entropy(weight=w):
// sum_i w[y_i] * l_i / sum_i w[y_i].
#include <string>
#include <vector>

#include <torch/types.h>

#include "base/named_values.h"

namespace wei::imbalanced_cifar {

enum class LossType {
  kCe,         // cross-entropy (ERM)
  kFocal,      // focal loss (Lin et al. 2017), reference-code form
  kLdam,       // cross-entropy on s * (cos - Delta_y at the true class), Delta_j ~ n_j^(-1/4)
  kMarginCe,   // the same with one margin for every class (the paper's M-DRW row)
  kHinge,      // multi-class hinge max(0, max_{j!=y} z_j - z_y + s * margin) (HG-DRS)
  kLdamHinge,  // the same with the LDAM margins (LDAM-HG-DRS)
};

// "ce", "focal", "ldam", "margin_ce", "hinge", "ldam_hinge".
const NamedValues<LossType>& loss_type_names();
// Losses defined on cosine logits: they need the normed classifier.
bool uses_cosine_logits(LossType type);

struct LossConfig {
  LossType type = LossType::kCe;
  double focal_gamma = 1.0;
  double scale = 30.0;    // s: cosine logits are multiplied by it (margin losses only)
  torch::Tensor margins;  // float [C]: Delta_j, subtracted from the true-class logit before scaling
};

torch::Tensor weighted_cross_entropy(const torch::Tensor& logits, const torch::Tensor& targets,
                                 const torch::Tensor& class_weights);
// Reference form: l = (1 - p)^gamma * ce_w with p = exp(-ce_w), ce_w the per-example weighted CE,
// averaged with a plain mean.
torch::Tensor focal_loss(const torch::Tensor& logits, const torch::Tensor& targets, double gamma,
                         const torch::Tensor& class_weights);
// Cross-entropy of scale * (logits - margins[y] at the true class).
torch::Tensor margin_cross_entropy_loss(const torch::Tensor& logits, const torch::Tensor& targets,
                                        const torch::Tensor& margins, double scale,
                                        const torch::Tensor& class_weights);
// max(0, max_{j != y} z_j - z_y + scale * margins[y]) with z = scale * logits.
torch::Tensor multiclass_hinge_loss(const torch::Tensor& logits, const torch::Tensor& targets,
                                    const torch::Tensor& margins, double scale,
                                    const torch::Tensor& class_weights);

// Dispatches on config.type.
torch::Tensor imbalance_loss(const LossConfig& config, const torch::Tensor& logits,
                             const torch::Tensor& targets, const torch::Tensor& class_weights);

}  // namespace wei::imbalanced_cifar
