#include "trainers/sma_circuits/labelling_function.h"

#include <cmath>

#include <fmt/format.h>

#include "base/errors.h"

namespace wei::sma_circuits {

BalancedFunction draw_balanced(const std::function<LabellingFunction(std::mt19937_64&)>& draw,
                               const BitColumns& sample_inputs, const BalanceFilter& filter,
                               std::mt19937_64& function_rng) {
  double closest = -1;
  for (int64_t k = 1; k <= filter.max_draws; ++k) {
    LabellingFunction f = draw(function_rng);
    const double ones = static_cast<double>(count_ones(f.evaluate(sample_inputs), sample_inputs.examples)) /
                        static_cast<double>(sample_inputs.examples);
    if (std::abs(ones - 0.5) <= filter.balance) return {std::move(f), k, ones};
    if (closest < 0 || std::abs(ones - 0.5) < std::abs(closest - 0.5)) closest = ones;
  }
  throw InputError(fmt::format("circuit.balance: no function of the family had a fraction of ones within {} of 1/2 "
                               "in circuit.max_draws = {} draws (the closest: {:.4f}); widen circuit.balance, allow "
                               "more draws, or change the circuit's size or depth",
                               filter.balance, filter.max_draws, closest));
}

}  // namespace wei::sma_circuits
