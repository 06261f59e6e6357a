#include "models/transformer_mlm.h"

#include <stdexcept>

#include <torch/nn/modules/transformerlayer.h>

namespace wei::models {

TransformerMlmImpl::TransformerMlmImpl(const TransformerMlmOptions& options) : options_(options) {
  if (options.width % options.heads != 0)
    throw std::invalid_argument("TransformerMlm: width must be a multiple of heads");
  namespace nn = torch::nn;
  tokens_ = register_module("tokens", nn::Embedding(options.input_vocab, options.width));
  positions_ = register_module("positions", nn::Embedding(options.max_length, options.width));
  input_norm_ = register_module("input_norm", nn::LayerNorm(nn::LayerNormOptions({options.width})));
  auto layer = nn::TransformerEncoderLayer(nn::TransformerEncoderLayerOptions(options.width, options.heads)
                                               .dim_feedforward(options.ff_width)
                                               .dropout(options.dropout)
                                               .activation(torch::kGELU));
  encoder_ = register_module("encoder", nn::TransformerEncoder(layer, options.layers));
  decoder_ = register_module("decoder", nn::Linear(options.width, options.output_vocab));
  // BERT's initialisation scale for the embeddings.
  torch::NoGradGuard no_grad;
  tokens_->weight.normal_(0.0, 0.02);
  positions_->weight.normal_(0.0, 0.02);
}

torch::Tensor TransformerMlmImpl::forward(const torch::Tensor& tokens) {
  return forward_embeddings(embed(tokens));
}

torch::Tensor TransformerMlmImpl::embed(const torch::Tensor& tokens) { return tokens_->forward(tokens); }

torch::Tensor TransformerMlmImpl::forward_embeddings(const torch::Tensor& inputs) {
  const int64_t length = inputs.size(1);
  if (length > options_.max_length)
    throw std::invalid_argument("TransformerMlm: input longer than max_length");
  auto pos = torch::arange(length, torch::TensorOptions().dtype(torch::kLong).device(inputs.device()));
  auto x = input_norm_->forward(inputs + positions_->forward(pos).unsqueeze(0));
  x = torch::dropout(x, options_.dropout, is_training());
  // The 1.13 encoder is sequence-first: [L, N, width].
  x = encoder_->forward(x.transpose(0, 1)).transpose(0, 1);
  return decoder_->forward(x);
}

}  // namespace wei::models
