#pragma once
// Drawing a target until its labels are balanced: the labelling functions of sma_circuits (a random
// circuit, a junta, a Turing machine) are redrawn until a statistic of their labels on a sample
// (the fraction of ones; the most frequent class's share) is within `balance` of its ideal (1/2;
// 1/classes). Constant and near-constant functions are useless targets (a constant predictor is
// already accurate) and error levels only mean the same thing across functions with balanced labels.
#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <string>

namespace wei::sma_circuits {

struct BalanceFilter {
  double balance = 0.1;       // accept |statistic - ideal| <= balance
  int64_t max_draws = 10000;  // then give up
  std::string section;        // the spec section whose keys the refusal names ("circuit", "turing")
};

template <typename T>
struct Balanced {
  T value;
  int64_t draws = 0;       // drawn until one passed (1: the first)
  double statistic = 0;    // its statistic
};

// InputError: "<section>.balance: no ... within <balance> of <ideal> in <section>.max_draws = N draws
// (the closest: s) ...".
[[noreturn]] void refuse_unbalanced(const BalanceFilter& filter, double ideal, double closest);

// Draws with `draw(rng)` until `statistic` of the drawn value is within filter.balance of `ideal`.
template <typename T>
Balanced<T> draw_balanced(const std::function<T(std::mt19937_64&)>& draw,
                          const std::function<double(const T&)>& statistic, double ideal,
                          const BalanceFilter& filter, std::mt19937_64& rng) {
  double closest = NAN;
  for (int64_t k = 1; k <= filter.max_draws; ++k) {
    T value = draw(rng);
    const double s = statistic(value);
    if (std::abs(s - ideal) <= filter.balance) return {std::move(value), k, s};
    if (std::isnan(closest) || std::abs(s - ideal) < std::abs(closest - ideal)) closest = s;
  }
  refuse_unbalanced(filter, ideal, closest);
}

}  // namespace wei::sma_circuits
