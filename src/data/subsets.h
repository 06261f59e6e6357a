#pragma once
// Seeded subsets of a labelled image set: a given number of examples per class (imbalanced
// profiles, reduced test sets) or a given number of examples overall (training-subset experiments).
#include <vector>

#include <ATen/core/Generator.h>
#include <torch/types.h>

#include "data/cifar_binary.h"

namespace wei::data {

// Indices (ascending) of a subset holding counts[c] examples of each class c, chosen uniformly at
// random within each class with `gen`. InputError when a class has fewer than counts[c].
torch::Tensor select_class_subset(const torch::Tensor& labels, const std::vector<int64_t>& counts,
                                  at::Generator& gen);

// Indices (ascending) of `size` of the `n` examples, chosen uniformly at random with `gen`.
// InputError when size > n.
torch::Tensor select_random_subset(int64_t n, int64_t size, at::Generator& gen);

// Labels with a fraction of them replaced by uniformly random classes (random-label experiments):
// each label independently, with probability `probability`, becomes a class drawn uniformly from
// all `classes` (possibly its own), as the all-layer-margin reference code corrupts CIFAR.
torch::Tensor corrupt_labels(const torch::Tensor& labels, double probability, int64_t classes, at::Generator& gen);

// The images and labels (and coarse labels, where present) of `indices`.
CifarSplit take(const CifarSplit& split, const torch::Tensor& indices);

}  // namespace wei::data
