#pragma once
// The normalised output margin of a binary classifier f with one logit: for a labelled example
// (x, y), y in {0, 1}, the margin (2y - 1) f(x), divided by the product of the spectral norms of
// the network's weight matrices (an upper bound on f's Lipschitz constant, the normalisation of
// spectrally normalised margin bounds, Bartlett et al. 2017). Negative for a misclassified example.
#include <cstdint>

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include "models/mlp.h"

namespace wei::sma_circuits {

// The largest singular value of `weight` [out, in], by power iteration from a seeded start until
// the estimate changes by less than 1e-7 relative (at most 1,000 iterations).
double spectral_norm(const torch::Tensor& weight, uint64_t seed);

// {"lipschitz_bound": prod ||W_l||_2, "min", "p10", "median": of the normalised margins} of `logits`
// [N] against `targets` [N] (0/1).
nlohmann::ordered_json normalised_margins(const torch::Tensor& logits, const torch::Tensor& targets,
                                          models::Mlp& network, uint64_t seed);

}  // namespace wei::sma_circuits
