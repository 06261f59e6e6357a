#pragma once
// Class-count profiles of Cao et al. 2019 (LDAM-DRW): long-tailed and step imbalance.
#include <string>
#include <vector>

#include <torch/types.h>

#include "base/named_values.h"

namespace wei::data {

enum class ImbalanceProfile {
  kNone,  // every class keeps n_max
  kExp,   // long-tailed: n_i = floor(n_max * ratio^(-i/(C-1)))
  kStep,  // the first floor(C/2) classes keep n_max, the rest floor(n_max / ratio)
};

// "none", "exp", "step".
const NamedValues<ImbalanceProfile>& imbalance_profile_names();

// Per-class training counts for classes 0..C-1 (ratio = n_max / n_min >= 1).
std::vector<int64_t> imbalanced_class_counts(int64_t n_max, int64_t num_classes,
                                             ImbalanceProfile profile, double ratio);

// How many labels of each class 0..num_classes-1 there are.
std::vector<int64_t> class_counts(const torch::Tensor& labels, int64_t num_classes);

}  // namespace wei::data
