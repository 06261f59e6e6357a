#include "data/subsets.h"

#include <catch2/catch.hpp>

#include "base/errors.h"
#include "base/seeding.h"
#include "data/imbalance.h"

TEST_CASE("class subsets are exact, seeded and reject classes that are too small", "[data]") {
  auto labels = torch::arange(300, torch::kInt64).remainder(3);  // 100 of each class
  auto gen = wei::make_generator(1, "subset");
  auto keep = wei::data::select_class_subset(labels, {50, 10, 1}, gen);
  CHECK(wei::data::class_counts(labels.index_select(0, keep), 3) == std::vector<int64_t>{50, 10, 1});
  CHECK(keep.equal(std::get<0>(keep.sort())));
  CHECK(std::get<0>(at::_unique(keep)).numel() == 61);
  auto gen_again = wei::make_generator(1, "subset");
  CHECK(keep.equal(wei::data::select_class_subset(labels, {50, 10, 1}, gen_again)));
  auto other = wei::make_generator(2, "subset");
  CHECK_FALSE(keep.equal(wei::data::select_class_subset(labels, {50, 10, 1}, other)));
  CHECK_THROWS_AS(wei::data::select_class_subset(labels, {101, 1, 1}, gen), wei::InputError);
}

TEST_CASE("random subsets are seeded, ascending and distinct", "[data]") {
  auto gen = wei::make_generator(4, "subset");
  const auto keep = wei::data::select_random_subset(100, 30, gen);
  CHECK(keep.size(0) == 30);
  CHECK(keep.equal(std::get<0>(keep.sort())));
  CHECK(std::get<0>(at::_unique(keep)).numel() == 30);
  CHECK(keep.max().item<int64_t>() < 100);
  auto again = wei::make_generator(4, "subset");
  CHECK(keep.equal(wei::data::select_random_subset(100, 30, again)));
  CHECK(wei::data::select_random_subset(5, 5, gen).equal(torch::arange(5, torch::kInt64)));
  CHECK_THROWS_AS(wei::data::select_random_subset(5, 6, gen), wei::InputError);
}

TEST_CASE("take keeps images, labels and coarse labels together", "[data]") {
  wei::data::CifarSplit split;
  split.images = torch::arange(4, torch::kInt64).view({4, 1, 1, 1}).expand({4, 3, 2, 2}).to(torch::kUInt8);
  split.labels = torch::tensor({10, 11, 12, 13}, torch::kInt64);
  split.coarse_labels = torch::tensor({0, 1, 0, 1}, torch::kInt64);
  const auto taken = wei::data::take(split, torch::tensor({3, 1}, torch::kInt64));
  CHECK(taken.labels.equal(torch::tensor({13, 11}, torch::kInt64)));
  CHECK(taken.coarse_labels.equal(torch::tensor({1, 1}, torch::kInt64)));
  CHECK(taken.images[0].eq(3).all().item<bool>());
  wei::data::CifarSplit no_coarse = split;
  no_coarse.coarse_labels = torch::Tensor();
  CHECK_FALSE(wei::data::take(no_coarse, torch::tensor({0}, torch::kInt64)).coarse_labels.defined());
}
