#pragma once
// Class-imbalance profiles of Cao et al. 2019 (LDAM-DRW) and seeded per-class subset selection.
#include <string>
#include <vector>

#include <ATen/core/Generator.h>
#include <torch/types.h>

namespace wei::data {

enum class ImbalanceProfile {
  kNone,  // every class keeps n_max
  kExp,   // long-tailed: n_i = floor(n_max * ratio^(-i/(C-1)))
  kStep,  // the first floor(C/2) classes keep n_max, the rest floor(n_max / ratio)
};

// "none" | "exp" | "step"; anything else is a std::invalid_argument (the spec schema restricts it).
ImbalanceProfile parse_imbalance_profile(const std::string& name);

// Per-class training counts for classes 0..C-1 (ratio = n_max / n_min >= 1).
std::vector<int64_t> imbalanced_class_counts(int64_t n_max, int64_t num_classes,
                                             ImbalanceProfile profile, double ratio);

// How many labels of each class 0..num_classes-1 there are.
std::vector<int64_t> class_counts(const torch::Tensor& labels, int64_t num_classes);

// Indices (ascending) of a subset holding counts[c] examples of each class c, chosen uniformly at
// random within each class with `gen`. InputError when a class has fewer than counts[c].
torch::Tensor select_class_subset(const torch::Tensor& labels, const std::vector<int64_t>& counts,
                                  at::Generator& gen);

}  // namespace wei::data
