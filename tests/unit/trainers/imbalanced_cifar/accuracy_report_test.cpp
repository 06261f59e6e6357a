#include <catch2/catch.hpp>

#include "trainers/imbalanced_cifar/accuracy_report.h"

using namespace wei::imbalanced_cifar;

TEST_CASE("shot groups follow the training counts", "[imbalanced_cifar][evaluation]") {
  CHECK(shot_of(101) == Shot::kMany);
  CHECK(shot_of(100) == Shot::kMedium);
  CHECK(shot_of(20) == Shot::kMedium);
  CHECK(shot_of(19) == Shot::kFew);
}

TEST_CASE("accuracy report: overall, per class, many/medium/few", "[imbalanced_cifar][evaluation]") {
  // Classes 0 (many), 1 (medium), 2 (few), 3 (few); two test examples each.
  auto targets = torch::tensor({0, 0, 1, 1, 2, 2, 3, 3}, torch::kInt64);
  auto predictions = torch::tensor({0, 0, 1, 0, 0, 0, 3, 2}, torch::kInt64);
  auto report = accuracy_report(predictions, targets, {500, 50, 10, 5});
  CHECK(report.accuracy == Approx(50.0));
  CHECK(report.per_class == std::vector<double>{100.0, 50.0, 0.0, 50.0});
  REQUIRE(report.many);
  CHECK(*report.many == Approx(100.0));
  CHECK(*report.medium == Approx(50.0));
  CHECK(*report.few == Approx(25.0));

  auto no_few = accuracy_report(predictions.narrow(0, 0, 4), targets.narrow(0, 0, 4), {500, 50});
  CHECK_FALSE(no_few.few.has_value());
  nlohmann::ordered_json row;
  add_to_row(row, "test_", no_few);
  CHECK(row["test_error"].get<double>() == Approx(25.0));
  CHECK(row.contains("test_many_shot_accuracy"));
  CHECK_FALSE(row.contains("test_few_shot_accuracy"));
}
