#pragma once
// Exact inference in an HMM: log-space forward-backward.
//
// Messages are kept as logs; each step shifts by the running maximum before going through the
// (linear) transition matrix, so exact zeros in the transitions cost nothing special (they are
// plain zero products, and log 0 = -inf states stay -inf) and nothing under- or overflows at any
// length. A token < 0 is unobserved (emission factor 1): that is how the downstream task asks for
// P(h_0 | x_1..x_T) with x_0 hidden behind [MASK].
//
// With `leave_one_out`, it also gives P(h_t | every observed x_s, s != t) at each t, from which
// masked_token_probabilities gives what a perfect masked language model predicts at each position.
#include <cstdint>
#include <vector>

#include "trainers/hmm_prompt/hmm.h"

namespace wei::hmm_prompt {

struct Posteriors {
  int64_t length = 0;
  int64_t num_states = 0;
  double log_likelihood = 0.0;  // log P(observed tokens)
  std::vector<double> filtered;  // [T * H], P(h_t | x_0..x_t)
  std::vector<double> smoothed;  // [T * H], P(h_t | x_0..x_{T-1})
  std::vector<double> left_out;  // [T * H], P(h_t | x_s for s != t); only with leave_one_out
};

// Throws std::invalid_argument for an empty sequence or a token >= vocab, and std::domain_error
// when the observed tokens have probability zero under `hmm`.
Posteriors forward_backward(const Hmm& hmm, const int64_t* tokens, int64_t length, bool leave_one_out = false);

// P(x = v) = sum_h state_probs[h] emit[h][v] for a distribution over the states [H]: [V].
std::vector<double> token_distribution(const Hmm& hmm, const double* state_probs);

// P(x_t = v | x_s for s != t) = sum_h left_out[t][h] emit[h][v], for every position: [T * V].
// Throws std::invalid_argument when `posteriors` was computed without leave_one_out.
std::vector<double> masked_token_probabilities(const Hmm& hmm, const Posteriors& posteriors);

// P(memory = m | tokens) for a memory-augmented HMM: the smoothed posterior of h_0 summed over s
// (m is the same at every position).
std::vector<double> memory_posterior(const Hmm& hmm, const Posteriors& posteriors);

}  // namespace wei::hmm_prompt
