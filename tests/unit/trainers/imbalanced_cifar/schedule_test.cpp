#include <catch2/catch.hpp>

#include <numeric>

#include "base/seeding.h"
#include "data/imbalance.h"
#include "trainers/imbalanced_cifar/schedule.h"

using namespace wei::imbalanced_cifar;

namespace {

const std::vector<int64_t> kLt100{5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50};

}  // namespace

TEST_CASE("LDAM margins for CIFAR-10-LT-100 match the guide", "[imbalanced_cifar][schedule]") {
  const std::vector<double> expected{0.1581, 0.1797, 0.2042, 0.2321, 0.2638,
                                     0.2998, 0.3407, 0.3872, 0.4405, 0.5000};
  auto margins = ldam_margins(kLt100, 0.5);
  REQUIRE(margins.size() == expected.size());
  for (size_t j = 0; j < margins.size(); ++j) CHECK(margins[j] == Approx(expected[j]).margin(1e-4));
}

TEST_CASE("DRW class-balanced weights for CIFAR-10-LT-100 match the guide", "[imbalanced_cifar][schedule]") {
  const std::vector<double> expected{0.0506, 0.0769, 0.1211, 0.1950, 0.3188,
                                     0.5246, 0.8683, 1.4426, 2.4092, 3.9927};
  auto weights = class_balanced_weights(kLt100, 0.9999);
  for (size_t j = 0; j < weights.size(); ++j) CHECK(weights[j] == Approx(expected[j]).margin(1e-4));
  CHECK(std::accumulate(weights.begin(), weights.end(), 0.0) == Approx(10.0));
  // beta = 0 (the reference's "no re-weighting" phase) gives all ones.
  CHECK(class_balanced_weights(kLt100, 0.0) == std::vector<double>(10, 1.0));
}

TEST_CASE("training rules switch weights and sampling at the right epochs", "[imbalanced_cifar][schedule]") {
  auto at = [](TrainingRule rule, int64_t epoch) { return plan_epoch(rule, epoch, 160, kLt100, 0.9999); };
  CHECK_FALSE(at(TrainingRule::kNone, 199).class_balanced_sampling);
  CHECK(at(TrainingRule::kNone, 199).class_weights.empty());
  CHECK(at(TrainingRule::kResample, 0).class_balanced_sampling);
  CHECK(at(TrainingRule::kResample, 0).class_weights.empty());
  CHECK(at(TrainingRule::kReweight, 0).class_weights.size() == 10);
  CHECK(at(TrainingRule::kDrw, 159).class_weights.empty());
  CHECK(at(TrainingRule::kDrw, 160).class_weights == class_balanced_weights(kLt100, 0.9999));
  CHECK_FALSE(at(TrainingRule::kDrw, 160).class_balanced_sampling);
  CHECK_FALSE(at(TrainingRule::kDrs, 159).class_balanced_sampling);
  CHECK(at(TrainingRule::kDrs, 160).class_balanced_sampling);
  CHECK(at(TrainingRule::kDrs, 160).class_weights.empty());
  CHECK(wei::name_of(training_rule_names(), TrainingRule::kDrs) == "drs");
}

TEST_CASE("class-balanced sampling really balances the classes", "[imbalanced_cifar][schedule]") {
  std::vector<torch::Tensor> parts;
  for (int64_t c = 0; c < 10; ++c) parts.push_back(torch::full({kLt100[c]}, c, torch::kInt64));
  auto labels = torch::cat(parts);
  auto gen = wei::make_generator(0, "shuffle");
  auto order = sample_epoch_order(labels, kLt100, true, gen);
  REQUIRE(order.size(0) == 12406);
  auto drawn = wei::data::class_counts(labels.index_select(0, order), 10);
  // Expected 1240.6 per class; a binomial standard deviation is about 33.
  for (auto n : drawn) CHECK(std::abs(static_cast<double>(n) - 1240.6) < 200);
  // Within the rarest class every image is used (50 images, ~1240 draws).
  auto rare = order.index_select(0, (labels.index_select(0, order) == 9).nonzero().view({-1}));
  CHECK(std::get<0>(at::_unique(rare)).numel() == 50);

  auto perm = sample_epoch_order(labels, kLt100, false, gen);
  CHECK(std::get<0>(perm.sort()).equal(torch::arange(12406, torch::kInt64)));
  CHECK_FALSE(perm.equal(torch::arange(12406, torch::kInt64)));
}
