#pragma once
// The normalised output margin of a binary classifier f with one logit: for a labelled example
// (x, y), y in {0, 1}, the margin (2y - 1) f(x), divided by the product of the spectral norms of
// the network's weight matrices (an upper bound on f's Lipschitz constant, the normalisation of
// spectrally normalised margin bounds, Bartlett et al. 2017). Negative for a misclassified example.
#include <nlohmann/json.hpp>
#include <torch/types.h>

#include "models/mlp.h"

namespace wei::sma_circuits {

// {"lipschitz_bound": prod ||W_l||_2 (each the largest singular value, in double precision),
// "min", "p10", "median": of the normalised margins} of `logits` [N] against `targets` [N] (0/1).
nlohmann::ordered_json normalised_margins(const torch::Tensor& logits, const torch::Tensor& targets,
                                          models::Mlp& network);

}  // namespace wei::sma_circuits
