#include "data/cifar_sets.h"

#include "base/int_math.h"
#include "base/seeding.h"
#include "data/subsets.h"
#include "data/synthetic_cifar.h"

namespace wei::data {

CifarSets load_cifar_sets(const std::string& root, CifarKind kind, int64_t train_size, int64_t test_size,
                          uint64_t seed) {
  CifarSets sets;
  if (root.empty()) {
    const int64_t classes = cifar_num_classes(kind);
    const int64_t train = train_size > 0 ? train_size : kStandInTrainImages;
    const int64_t test = test_size > 0 ? test_size : kStandInTestImages;
    auto synthetic = make_synthetic_cifar(std::vector<int64_t>(classes, ceil_div(train, classes)),
                                          ceil_div(test, classes), seed);
    sets.train = std::move(synthetic.train);
    sets.test = std::move(synthetic.test);
    sets.source = "synthetic";
  } else {
    sets.train = load_cifar(root, kind, /*train=*/true);
    sets.test = load_cifar(root, kind, /*train=*/false);
    sets.source = cifar_name(kind);
  }
  if (train_size > 0) {
    auto gen = make_generator(seed, "train-subset");
    sets.train = take(sets.train, select_random_subset(sets.train.labels.size(0), train_size, gen));
  }
  if (test_size > 0) {
    auto gen = make_generator(seed, "test-subset");
    sets.test = take(sets.test, select_random_subset(sets.test.labels.size(0), test_size, gen));
  }
  return sets;
}

CifarSetSizes cifar_set_sizes(int64_t train_size, int64_t test_size) {
  return {static_cast<double>(train_size > 0 ? train_size : 50000), static_cast<double>(test_size > 0 ? test_size : 10000)};
}

}  // namespace wei::data
