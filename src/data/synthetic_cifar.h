#pragma once
// A seeded stand-in for CIFAR when no data.root is given: uint8 [N, 3, 32, 32] images whose class
// is a fixed random low-frequency colour pattern plus per-image noise and brightness jitter, so a
// network can learn it but not instantly. Train and test draw from the same class patterns.
#include <vector>

#include "data/cifar_binary.h"

namespace wei::data {

struct SyntheticCifar {
  CifarSplit train, test;
};

// counts[c] training and test_per_class test images of each class c (labels in class order).
SyntheticCifar make_synthetic_cifar(const std::vector<int64_t>& counts, int64_t test_per_class,
                                    uint64_t seed);

}  // namespace wei::data
