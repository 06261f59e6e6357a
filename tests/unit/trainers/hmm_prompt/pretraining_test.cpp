#include <catch2/catch.hpp>

#include "base/seeding.h"
#include "trainers/hmm_prompt/pretraining.h"

using namespace wei::hmm_prompt;

TEST_CASE("make_blocks cuts sequences into consecutive blocks", "[hmm_prompt]") {
  Samples s;
  s.count = 2;
  s.length = 7;
  for (int64_t i = 0; i < 14; ++i) s.tokens.push_back(i);
  const auto blocks = make_blocks(s, 3);
  REQUIRE(blocks.sizes() == torch::IntArrayRef({4, 3}));
  REQUIRE(blocks[1][0].item<int64_t>() == 3);
  REQUIRE(blocks[2][0].item<int64_t>() == 7);  // the tail token 6 is dropped
  REQUIRE_THROWS(make_blocks(s, 8));
}

TEST_CASE("mask_tokens follows BERT's 80/10/10 rule", "[hmm_prompt]") {
  auto gen = wei::make_generator(1, "mask-test");
  const auto blocks = torch::randint(10, {400, 80}, gen, torch::TensorOptions().dtype(torch::kInt64));
  const auto batch = mask_tokens(blocks, 0.15, 10, 10, gen);
  const auto selected = batch.targets.ne(kIgnoreIndex);
  const double rate = selected.to(torch::kFloat64).mean().item<double>();
  REQUIRE(rate == Approx(0.15).margin(0.01));
  // Targets are the original tokens; unselected positions are untouched.
  REQUIRE(torch::equal(batch.targets.masked_select(selected), blocks.masked_select(selected)));
  REQUIRE(torch::equal(batch.inputs.masked_select(~selected), blocks.masked_select(~selected)));
  const auto in_sel = batch.inputs.masked_select(selected);
  const double masked = in_sel.eq(10).to(torch::kFloat64).mean().item<double>();
  const double kept = in_sel.eq(blocks.masked_select(selected)).to(torch::kFloat64).mean().item<double>();
  REQUIRE(masked == Approx(0.8).margin(0.02));
  // 10% kept plus the random replacements that happen to hit the original (1/10 of 10%).
  REQUIRE(kept == Approx(0.11).margin(0.02));
  REQUIRE(batch.inputs.max().item<int64_t>() <= 10);
  // At least one target even when the probability is tiny.
  const auto one = mask_tokens(blocks.slice(0, 0, 1), 1e-9, 10, 10, gen);
  REQUIRE(one.targets.ne(kIgnoreIndex).sum().item<int64_t>() >= 1);
}
