#pragma once
// What changes from epoch to epoch in LDAM-DRW training: the class-balancing rule (re-weighting and/or class-balanced re-sampling, from
// the start or deferred). Also the per-class quantities those rules use: LDAM margins and
// class-balanced weights (Cui et al. 2019).
#include <string>
#include <vector>

#include <ATen/core/Generator.h>
#include <torch/types.h>

#include "base/named_values.h"

namespace wei::imbalanced_cifar {

enum class TrainingRule {
  kNone,      // uniform sampling, unweighted loss
  kResample,  // class-balanced sampling with replacement from the first epoch
  kReweight,  // class-balanced loss weights from the first epoch
  kDrw,       // deferred re-weighting: class-balanced weights from the deferred epoch on
  kDrs,       // deferred re-sampling: class-balanced sampling from the deferred epoch on
};

// "none", "resample", "reweight", "drw", "drs".
const NamedValues<TrainingRule>& training_rule_names();

// Delta_j = C / n_j^(1/4), with C chosen so that max_j Delta_j = max_margin.
std::vector<double> ldam_margins(const std::vector<int64_t>& counts, double max_margin);

// w_j = (1 - beta) / (1 - beta^n_j), normalised to sum to the number of classes.
std::vector<double> class_balanced_weights(const std::vector<int64_t>& counts, double beta);

struct EpochBalancing {
  bool class_balanced_sampling = false;
  std::vector<double> class_weights;  // empty: uniform (unweighted loss)
};

EpochBalancing plan_epoch(TrainingRule rule, int64_t epoch, int64_t deferred_epoch,
                     const std::vector<int64_t>& counts, double beta);

// The training indices of one epoch (CPU int64 [N], N = labels.size(0)): a random permutation, or,
// for class-balanced sampling, N draws with replacement where each class is equally likely and
// every image within a class too (draw probability of image i proportional to 1 / counts[y_i]).
torch::Tensor sample_epoch_order(const torch::Tensor& labels, const std::vector<int64_t>& counts,
                                 bool class_balanced, at::Generator& gen);

}  // namespace wei::imbalanced_cifar
