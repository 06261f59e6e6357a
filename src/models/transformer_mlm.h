#pragma once
// A BERT-style masked-language-model encoder: token + learned position embeddings, LayerNorm,
// a stack of post-norm Transformer encoder layers (GELU), and a linear decoder to the output
// vocabulary at every position.
//
// forward_embeddings() takes input vectors instead of token ids, so callers can prepend learned
// continuous prompt vectors to embed() of their tokens (prompt tuning); position embeddings are
// added there, after any prompt is in place.
#include <cstdint>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/modules/transformer.h>
#include <torch/nn/modules/transformercoder.h>

namespace wei::models {

struct TransformerMlmOptions {
  int64_t input_vocab = 11;   // token ids the encoder accepts (real tokens + [MASK])
  int64_t output_vocab = 10;  // classes predicted at each position (real tokens)
  int64_t max_length = 80;    // longest input, prompts included
  int64_t width = 64;         // d_model
  int64_t heads = 4;
  int64_t layers = 2;
  int64_t ff_width = 256;
  double dropout = 0.0;
};

class TransformerMlmImpl : public torch::nn::Module {
 public:
  explicit TransformerMlmImpl(const TransformerMlmOptions& options);

  // tokens [N, L] (int64) -> logits [N, L, output_vocab].
  torch::Tensor forward(const torch::Tensor& tokens);
  // Token embeddings without positions: [N, L] -> [N, L, width].
  torch::Tensor embed(const torch::Tensor& tokens);
  // inputs [N, L, width] -> logits [N, L, output_vocab].
  torch::Tensor forward_embeddings(const torch::Tensor& inputs);

  const TransformerMlmOptions& options() const { return options_; }

 private:
  TransformerMlmOptions options_;
  torch::nn::Embedding tokens_{nullptr};
  torch::nn::Embedding positions_{nullptr};
  torch::nn::LayerNorm input_norm_{nullptr};
  torch::nn::TransformerEncoder encoder_{nullptr};
  torch::nn::Linear decoder_{nullptr};
};
TORCH_MODULE(TransformerMlm);

}  // namespace wei::models
