#include "trainers/imbalanced_cifar/schedule.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace wei::imbalanced_cifar {

const NamedValues<TrainingRule>& training_rule_names() {
  static const NamedValues<TrainingRule> names = {{"none", TrainingRule::kNone},
                                                  {"resample", TrainingRule::kResample},
                                                  {"reweight", TrainingRule::kReweight},
                                                  {"drw", TrainingRule::kDrw},
                                                  {"drs", TrainingRule::kDrs}};
  return names;
}

std::vector<double> ldam_margins(const std::vector<int64_t>& counts, double max_margin) {
  std::vector<double> margins(counts.size());
  for (size_t j = 0; j < counts.size(); ++j) {
    margins[j] = 1.0 / std::sqrt(std::sqrt(static_cast<double>(counts[j])));
  }
  const double largest = *std::max_element(margins.begin(), margins.end());
  for (auto& m : margins) m *= max_margin / largest;
  return margins;
}

std::vector<double> class_balanced_weights(const std::vector<int64_t>& counts, double beta) {
  std::vector<double> weights(counts.size());
  double total = 0;
  for (size_t j = 0; j < counts.size(); ++j) {
    weights[j] = (1.0 - beta) / (1.0 - std::pow(beta, static_cast<double>(counts[j])));
    total += weights[j];
  }
  for (auto& w : weights) w *= static_cast<double>(counts.size()) / total;
  return weights;
}

EpochBalancing plan_epoch(TrainingRule rule, int64_t epoch, int64_t deferred_epoch,
                     const std::vector<int64_t>& counts, double beta) {
  EpochBalancing plan;
  const bool deferred_phase = epoch >= deferred_epoch;
  plan.class_balanced_sampling =
      rule == TrainingRule::kResample || (rule == TrainingRule::kDrs && deferred_phase);
  if (rule == TrainingRule::kReweight || (rule == TrainingRule::kDrw && deferred_phase)) {
    plan.class_weights = class_balanced_weights(counts, beta);
  }
  return plan;
}

torch::Tensor sample_epoch_order(const torch::Tensor& labels, const std::vector<int64_t>& counts,
                                 bool class_balanced, at::Generator& gen) {
  const int64_t n = labels.size(0);
  if (!class_balanced) return torch::randperm(n, gen, torch::kInt64);
  auto weights = torch::tensor(counts, torch::kDouble).reciprocal().index_select(0, labels);
  return torch::multinomial(weights, n, /*replacement=*/true, gen);
}

}  // namespace wei::imbalanced_cifar
