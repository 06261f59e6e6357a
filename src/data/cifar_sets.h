#pragma once
// The training and test sets of a CIFAR trainer that uses the whole published dataset (or a seeded
// random subset of it): the real CIFAR-10/100 under `root`, or, with an empty root, the seeded
// synthetic stand-in (data/synthetic_cifar.h) with the same number of images in every class.
#include <cstdint>
#include <string>

#include "data/cifar_binary.h"

namespace wei::data {

struct CifarSets {
  CifarSplit train, test;
  std::string source;  // "cifar10", "cifar100" or "synthetic"
};

// Stand-in sizes when a subset size is 0 (all) and there is no root.
inline constexpr int64_t kStandInTrainImages = 5000;
inline constexpr int64_t kStandInTestImages = 1000;

// The images load_cifar_sets keeps at most for these sizes, as a memory estimate's bound: the
// subset sizes, or the whole published CIFAR split (50,000 training and 10,000 test images).
struct CifarSetSizes {
  double train, test;
};
CifarSetSizes cifar_set_sizes(int64_t train_size, int64_t test_size);

// train_size / test_size: images kept (seeded random subsets); 0 keeps them all. InputError for a
// missing or malformed data file, or a subset larger than the set.
CifarSets load_cifar_sets(const std::string& root, CifarKind kind, int64_t train_size, int64_t test_size,
                          uint64_t seed);

}  // namespace wei::data
