#include <catch2/catch.hpp>

#include <numeric>

#include "base/errors.h"
#include "base/seeding.h"
#include "data/imbalance.h"

using wei::data::ImbalanceProfile;
using wei::data::imbalanced_class_counts;

TEST_CASE("exp profile gives the CIFAR-10-LT-100 counts of the reference", "[imbalanced_cifar][data]") {
  auto counts = imbalanced_class_counts(5000, 10, ImbalanceProfile::kExp, 100);
  CHECK(counts == std::vector<int64_t>{5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50});
  CHECK(std::accumulate(counts.begin(), counts.end(), int64_t{0}) == 12406);
  auto ten = imbalanced_class_counts(5000, 10, ImbalanceProfile::kExp, 10);
  CHECK(ten.front() == 5000);
  CHECK(ten.back() == 500);
  auto c100 = imbalanced_class_counts(500, 100, ImbalanceProfile::kExp, 100);
  CHECK(c100.front() == 500);
  CHECK(c100.back() == 5);
  CHECK(std::accumulate(c100.begin(), c100.end(), int64_t{0}) == 10847);
}

TEST_CASE("step profile halves the classes into frequent and rare", "[imbalanced_cifar][data]") {
  auto counts = imbalanced_class_counts(5000, 10, ImbalanceProfile::kStep, 100);
  CHECK(counts == std::vector<int64_t>{5000, 5000, 5000, 5000, 5000, 50, 50, 50, 50, 50});
  auto ten = imbalanced_class_counts(500, 100, ImbalanceProfile::kStep, 10);
  CHECK(ten[49] == 500);
  CHECK(ten[50] == 50);
  CHECK(imbalanced_class_counts(7, 3, ImbalanceProfile::kNone, 100) == std::vector<int64_t>{7, 7, 7});
}
