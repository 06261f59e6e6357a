#include "data/endless_order.h"

#include <catch2/catch.hpp>

TEST_CASE("an endless order is a sequence of shuffles, any slice drawn from the position alone", "[data]") {
  wei::data::EndlessOrder order(10, 42);
  const torch::Tensor first = order.take(0, 30);
  // Each pass of 10 is a permutation of 0..9, and passes differ.
  for (int64_t pass = 0; pass < 3; ++pass) {
    CHECK(torch::equal(std::get<0>(first.narrow(0, 10 * pass, 10).sort()), torch::arange(10, torch::kInt64)));
  }
  CHECK_FALSE(torch::equal(first.narrow(0, 0, 10), first.narrow(0, 10, 10)));
  // A fresh order (a resumed run) gives the same slice from any start, across pass boundaries.
  wei::data::EndlessOrder fresh(10, 42);
  CHECK(torch::equal(fresh.take(7, 9), first.narrow(0, 7, 9)));
  CHECK(torch::equal(fresh.take(25, 5), first.narrow(0, 25, 5)));
  CHECK_FALSE(torch::equal(wei::data::EndlessOrder(10, 43).take(0, 30), first));
}
