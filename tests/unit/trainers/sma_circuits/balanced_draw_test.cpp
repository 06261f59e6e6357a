#include "trainers/sma_circuits/balanced_draw.h"

#include <catch2/catch.hpp>

#include "base/errors.h"
#include "base/seeding.h"

namespace {

using wei::sma_circuits::BalanceFilter;

// Draws the values of `sequence` in turn (the statistic is the value itself).
std::function<double(std::mt19937_64&)> in_turn(std::vector<double> sequence, size_t* drawn) {
  return [sequence, drawn](std::mt19937_64&) { return sequence[std::min((*drawn)++, sequence.size() - 1)]; };
}
const std::function<double(const double&)> itself = [](const double& v) { return v; };

}  // namespace

TEST_CASE("the balance filter redraws until the statistic is near its ideal and counts the draws", "[sma_circuits]") {
  auto rng = wei::make_std_rng(4, "function");
  size_t drawn = 0;
  const auto result = wei::sma_circuits::draw_balanced<double>(in_turn({0.0, 1.0, 0.3, 0.56, 0.5}, &drawn), itself,
                                                               0.5, BalanceFilter{0.1, 10, "circuit"}, rng);
  CHECK(result.draws == 4);
  CHECK(result.statistic == 0.56);
  CHECK(drawn == 4);

  drawn = 0;
  CHECK_THROWS_WITH(wei::sma_circuits::draw_balanced<double>(in_turn({0.0, 0.9, 0.2}, &drawn), itself, 0.5,
                                                             BalanceFilter{0.1, 10, "turing"}, rng),
                    Catch::Contains("turing.balance") && Catch::Contains("turing.max_draws = 10") &&
                        Catch::Contains("the closest: 0.2000"));
  CHECK(drawn == 10);
  // A balance of 1/2 around 1/2 accepts anything, a constant included.
  drawn = 0;
  CHECK(wei::sma_circuits::draw_balanced<double>(in_turn({0.0}, &drawn), itself, 0.5, BalanceFilter{0.5, 10, "circuit"},
                                                 rng)
            .draws == 1);
}
