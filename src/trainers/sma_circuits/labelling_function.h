#pragma once
// The function that labels the sma_circuits data (a random circuit or a junta), drawn until its
// output is balanced: the fraction of ones on a sample of uniform inputs within `balance` of 1/2.
// Constant and near-constant functions are useless targets (a constant predictor is then already
// accurate), and the error levels of the measurement (eps) only mean the same thing for balanced
// labels.
#include <cstdint>
#include <functional>
#include <random>

#include <nlohmann/json.hpp>

#include "trainers/sma_circuits/bit_columns.h"

namespace wei::sma_circuits {

struct LabellingFunction {
  std::function<BitColumn(const BitColumns&)> evaluate;
  nlohmann::ordered_json description;
};

struct BalanceFilter {
  double balance = 0.1;       // accept a fraction of ones in [1/2 - balance, 1/2 + balance]
  int64_t sample = 100000;    // uniform inputs the fraction is measured on
  int64_t max_draws = 10000;  // then give up
};

struct BalancedFunction {
  LabellingFunction function;
  int64_t draws = 0;          // functions drawn until one passed (1: the first)
  double ones_fraction = 0;   // on the filter's sample
};

// Draws functions with `draw(function_rng)` until one is balanced on `sample_inputs` (uniform
// inputs, at least filter.sample of them). No balanced function within filter.max_draws is an
// InputError naming circuit.balance and circuit.max_draws.
BalancedFunction draw_balanced(const std::function<LabellingFunction(std::mt19937_64&)>& draw,
                               const BitColumns& sample_inputs, const BalanceFilter& filter,
                               std::mt19937_64& function_rng);

}  // namespace wei::sma_circuits
