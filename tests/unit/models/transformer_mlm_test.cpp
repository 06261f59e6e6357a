#include <catch2/catch.hpp>

#include "models/transformer_mlm.h"

TEST_CASE("TransformerMlm: shapes, embeddings path, max length", "[hmm_prompt]") {
  torch::manual_seed(0);
  wei::models::TransformerMlmOptions o;
  o.input_vocab = 11;
  o.output_vocab = 10;
  o.max_length = 12;
  o.width = 16;
  o.heads = 2;
  o.layers = 1;
  o.ff_width = 32;
  wei::models::TransformerMlm model(o);
  model->eval();
  const auto tokens = torch::randint(11, {3, 12}, torch::kInt64);
  const auto logits = model->forward(tokens);
  REQUIRE(logits.sizes() == torch::IntArrayRef({3, 12, 10}));
  // forward() is exactly forward_embeddings(embed()).
  REQUIRE(torch::equal(logits, model->forward_embeddings(model->embed(tokens))));
  // Attention mixes positions: changing the last token changes the first position's output.
  auto other = tokens.clone();
  other[0][11] = (other[0][11].item<int64_t>() + 1) % 11;
  REQUIRE_FALSE(torch::allclose(model->forward(other)[0][0], logits[0][0]));
  REQUIRE_THROWS_AS(model->forward(torch::zeros({1, 13}, torch::kInt64)), std::invalid_argument);
  o.width = 15;
  REQUIRE_THROWS_AS(wei::models::TransformerMlm(o), std::invalid_argument);
}
