#include "trainers/hmm_prompt/pretraining.h"

#include <stdexcept>

namespace wei::hmm_prompt {

torch::Tensor make_blocks(const Samples& samples, int64_t block_length) {
  const int64_t per_sequence = samples.length / block_length;
  if (per_sequence < 1) throw std::invalid_argument("make_blocks: sequences shorter than one block");
  auto all = torch::from_blob(const_cast<int64_t*>(samples.tokens.data()), {samples.count, samples.length},
                              torch::kInt64);
  return all.slice(1, 0, per_sequence * block_length).reshape({samples.count * per_sequence, block_length}).clone();
}

MaskedBatch mask_tokens(const torch::Tensor& blocks, double mask_prob, int64_t mask_token,
                        int64_t vocab, at::Generator& gen) {
  const auto options = torch::TensorOptions().dtype(torch::kFloat64);
  auto selected = torch::rand(blocks.sizes(), gen, options) < mask_prob;
  if (!selected.any().item<bool>()) selected.view(-1)[0] = true;
  const auto action = torch::rand(blocks.sizes(), gen, options);
  const auto random_tokens = torch::randint(vocab, blocks.sizes(), gen, torch::TensorOptions().dtype(torch::kInt64));
  MaskedBatch batch;
  batch.targets = torch::where(selected, blocks, torch::full_like(blocks, kIgnoreIndex));
  batch.inputs = torch::where(selected & (action < 0.8), torch::full_like(blocks, mask_token), blocks);
  batch.inputs = torch::where(selected & (action >= 0.8) & (action < 0.9), random_tokens, batch.inputs);
  return batch;
}

}  // namespace wei::hmm_prompt
