#pragma once
// Builds an imbalanced_cifar trainer from its schema defaults plus overrides, without the CLI or
// the runner, and drives it through its epochs.
#include <map>
#include <memory>
#include <string>

#include "support/trainer_fixture.h"
#include "trainers/imbalanced_cifar/imbalanced_cifar_trainer.h"

namespace wei::imbalanced_cifar::testing {

// A small, fast synthetic configuration: 64 images in the largest class, 20 test images per class.
inline std::map<std::string, ParamValue> tiny_overrides() {
  return {{"data.max_per_class", int64_t{64}}, {"data.ratio", 10.0},     {"data.test_per_class", int64_t{20}},
          {"optim.epochs", int64_t{2}},        {"optim.batch_size", int64_t{32}},
          {"optim.warmup_epochs", int64_t{1}}, {"train.deferred_epoch", int64_t{1}}};
}

// The imbalanced_cifar trainer built from its schema defaults plus `overrides`.
class TrainerFixture : public wei::testing::TrainerFixture {
 public:
  explicit TrainerFixture(const std::map<std::string, ParamValue>& overrides, uint64_t seed = 0,
                          std::function<bool()> stop = {})
      : wei::testing::TrainerFixture(imbalanced_cifar_trainer_info(), overrides, seed, std::move(stop)) {}
};

using wei::testing::run_epochs;

}  // namespace wei::imbalanced_cifar::testing
