#pragma once
// The downstream classification task of Wei, Xie, Ma (2021).
//
// Each example is a fresh HMM sequence x_0..x_{T-1}. Its label is argmax(W p) with W a sparse
// 2 x K matrix (at most `nonzeros` N(0, 1) entries) and p the exact posterior, with x_0 hidden:
// p = P(h_0 | x_1..x_{T-1}) (K = H) for a vanilla HMM, p = P(m | x_1..x_{T-1}) (K = M) for a
// memory-augmented one. Models see [MASK] in place of x_0 followed by a prefix x_1..x_k.
#include <cstdint>
#include <random>

#include <torch/types.h>

#include "trainers/hmm_prompt/hmm.h"

namespace wei::hmm_prompt {

inline constexpr int64_t kNumClasses = 2;

struct TaskOptions {
  int64_t sequence_length = 128;
  int64_t train_size = 5000;
  int64_t val_size = 500;
  int64_t test_size = 1000;
  int64_t nonzeros = 6;
  // false: `nonzeros` distinct cells, redrawn until the minority class holds kMinClassFraction of
  // the training labels; true: the reference code's draw (generate_data.py), `nonzeros` cells with
  // replacement (a cell drawn twice keeps its last value), redrawn only while a class is empty.
  bool reference_label_draw = false;
};

struct TaskSplit {
  torch::Tensor tokens;     // [N, T] int64, x_0..x_{T-1}
  torch::Tensor labels;     // [N] int64 in {0, 1}
  torch::Tensor posterior;  // [N, K] float32, the exact posterior the label is computed from
};

struct DownstreamTask {
  torch::Tensor label_matrix;  // [2, K] float64
  TaskSplit train, val, test;
};

// W is redrawn (from the same stream) until the minority class holds at least
// kMinClassFraction of the training labels, so that a constant prediction cannot look good.
// (With reference_label_draw, until neither class of the training labels is empty.)
inline constexpr double kMinClassFraction = 0.1;

// One draw of W [2, K] float64: `nonzeros` N(0, 1) entries in distinct cells, or with
// `with_replacement` in `nonzeros` cells drawn with replacement (the last value drawn for a cell
// stays, as numpy's fancy assignment in the reference code).
torch::Tensor draw_label_matrix(int64_t k, int64_t nonzeros, bool with_replacement, std::mt19937_64& rng);

DownstreamTask make_task(const Hmm& hmm, const TaskOptions& options, std::mt19937_64& rng,
                         const StopToken& stop = StopToken());

// Model input: [MASK] followed by x_1..x_visible: [N, 1 + visible] int64.
torch::Tensor masked_input(const TaskSplit& split, int64_t visible, int64_t mask_token);

// What a perfect masked language model outputs on masked_input(split, visible, ·), from the true
// HMM: at position t of [MASK] x_1..x_visible, P(x_t | every other token of that input), x_0
// unobserved (at t = 0, the masked token given the rest of the input). The first `positions`
// positions (1 = the [MASK] position only, at most visible + 1): [N, positions, V] float32.
torch::Tensor exact_mlm_probabilities(const Hmm& hmm, const TaskSplit& split, int64_t visible, int64_t positions,
                                      const StopToken& stop = StopToken());

}  // namespace wei::hmm_prompt
