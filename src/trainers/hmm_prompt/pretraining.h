#pragma once
// Masked-language-model pretraining data: blocks of HMM tokens and BERT's masking rule.
#include <cstdint>

#include <ATen/core/Generator.h>
#include <torch/types.h>

#include "trainers/hmm_prompt/hmm.h"

namespace wei::hmm_prompt {

// Label value that cross_entropy ignores (positions that were not selected for prediction).
inline constexpr int64_t kIgnoreIndex = -100;

// Cuts each sampled sequence into floor(length / block_length) consecutive blocks:
// [count * floor(length / block_length), block_length] int64.
torch::Tensor make_blocks(const Samples& samples, int64_t block_length);

struct MaskedBatch {
  torch::Tensor inputs;   // [B, L] int64
  torch::Tensor targets;  // [B, L] int64, the original token where selected, kIgnoreIndex elsewhere
};

// BERT's rule: each position is selected with probability `mask_prob` (at least one per batch);
// a selected position becomes [MASK] with probability 0.8, a uniformly random token with 0.1 and
// stays unchanged with 0.1. Selected positions are the prediction targets.
MaskedBatch mask_tokens(const torch::Tensor& blocks, double mask_prob, int64_t mask_token,
                        int64_t vocab, at::Generator& gen);

}  // namespace wei::hmm_prompt
