#include "trainers/sma_circuits/labelling_function.h"

#include <catch2/catch.hpp>

#include "base/errors.h"
#include "base/seeding.h"

namespace {

using wei::sma_circuits::BitColumn;
using wei::sma_circuits::BitColumns;
using wei::sma_circuits::LabellingFunction;

// The constant 0 function for the first `constant_draws` draws, then input 0 (balanced).
std::function<LabellingFunction(std::mt19937_64&)> constant_then_input0(int64_t constant_draws, int64_t* drawn) {
  return [constant_draws, drawn](std::mt19937_64&) {
    const bool constant = (*drawn)++ < constant_draws;
    return LabellingFunction{[constant](const BitColumns& x) {
                               return constant ? BitColumn(static_cast<size_t>(x.words()), 0) : x.columns[0];
                             },
                             {{"constant", constant}}};
  };
}

}  // namespace

TEST_CASE("the balance filter redraws unbalanced functions and counts the draws", "[sma_circuits]") {
  auto rng = wei::make_std_rng(4, "sample");
  const BitColumns sample = wei::sma_circuits::draw_uniform_inputs(4000, 3, rng);
  int64_t drawn = 0;
  auto function_rng = wei::make_std_rng(4, "function");
  const auto result = wei::sma_circuits::draw_balanced(constant_then_input0(3, &drawn), sample, {0.05, 4000, 10},
                                                       function_rng);
  CHECK(result.draws == 4);
  CHECK(result.function.description["constant"] == false);
  CHECK(result.ones_fraction == Approx(0.5).margin(0.03));

  drawn = 0;
  CHECK_THROWS_WITH(
      wei::sma_circuits::draw_balanced(constant_then_input0(100, &drawn), sample, {0.05, 4000, 10}, function_rng),
      Catch::Contains("circuit.balance") && Catch::Contains("circuit.max_draws = 10") &&
          Catch::Contains("the closest: 0.0000"));
  CHECK(drawn == 10);
  // A balance of 1/2 accepts anything, even a constant.
  drawn = 0;
  CHECK(wei::sma_circuits::draw_balanced(constant_then_input0(100, &drawn), sample, {0.5, 4000, 10}, function_rng)
            .draws == 1);
}
