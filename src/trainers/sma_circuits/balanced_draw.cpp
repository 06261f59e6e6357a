#include "trainers/sma_circuits/balanced_draw.h"

#include <fmt/format.h>

#include "base/errors.h"

namespace wei::sma_circuits {

void refuse_unbalanced(const BalanceFilter& filter, double ideal, double closest) {
  const std::string& s = filter.section;
  throw InputError(fmt::format("{}.balance: no function drawn had labels within {} of {:.4f} in {}.max_draws = {} "
                               "draws (the closest: {:.4f}); widen {}.balance, allow more draws, or change the "
                               "function's parameters",
                               s, filter.balance, ideal, s, filter.max_draws, closest, s));
}

}  // namespace wei::sma_circuits
