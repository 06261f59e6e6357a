#pragma once
// Hidden Markov models of Wei, Xie, Ma (2021): random parameters, sampling.
//
// States are numbered 0..H-1. A memory-augmented HMM with M memory values is stored as an
// ordinary HMM with H = 4M states, state (m, s) at index m * 4 + s: its transition matrix is
// block diagonal (the same 4x4 block for every m), so m never changes within a sequence.
#include <cstdint>
#include <random>
#include <vector>

#include "base/stop_token.h"

namespace wei::hmm_prompt {

// Number of "s" states per memory value in a memory-augmented HMM.
inline constexpr int64_t kMemoryBlockStates = 4;

struct Hmm {
  int64_t num_states = 0;  // H
  int64_t vocab = 0;       // V
  int64_t memory = 0;      // M for a memory-augmented HMM, 0 for a vanilla one
  std::vector<double> start;  // [H]
  std::vector<double> trans;  // [H * H], trans[i * H + j] = P(h_{t+1} = j | h_t = i)
  std::vector<double> emit;   // [H * V], emit[i * V + x] = P(x_t = x | h_t = i)
};

struct HmmTemperatures {
  double start = 10.0;        // start = softmax((U - 0.5) / start)
  double transition = 0.01;   // permutation-mixture weights = softmax((U - 0.5) / transition)
  double emission = 0.01;     // each emission row = softmax((U - 0.5) / emission)
};

// U ~ Uniform[0, 1) everywhere, drawn from `rng`. Transitions: a mixture of H random H x H
// permutation matrices (doubly stochastic, exact zeros where no permutation lands).
Hmm make_vanilla_hmm(int64_t num_states, int64_t vocab, const HmmTemperatures& temps,
                     std::mt19937_64& rng);
// States (m, s): the memory m is fixed per sequence, s follows one 4x4 permutation mixture
// shared by all m, and every (m, s) has its own emission row. The start distribution covers
// all 4M states.
Hmm make_memory_hmm(int64_t memory, int64_t vocab, const HmmTemperatures& temps,
                    std::mt19937_64& rng);

struct Samples {
  int64_t count = 0;
  int64_t length = 0;
  std::vector<int64_t> tokens;  // [count * length]
  std::vector<int64_t> states;  // [count * length]
};

// `count` independent sequences of `length` tokens.
Samples sample(const Hmm& hmm, int64_t count, int64_t length, std::mt19937_64& rng,
               const StopToken& stop = StopToken());


}  // namespace wei::hmm_prompt
