#include <catch2/catch.hpp>

#include "base/seeding.h"
#include "trainers/hmm_prompt/tuning.h"

using namespace wei::hmm_prompt;

namespace {

wei::models::TransformerMlm tiny_model() {
  torch::manual_seed(3);
  wei::models::TransformerMlmOptions o;
  o.max_length = 16;
  o.width = 16;
  o.heads = 2;
  o.layers = 1;
  o.ff_width = 32;
  return wei::models::TransformerMlm(o);
}

}  // namespace

TEST_CASE("scheduled_lr: linear warm-up then linear decay to zero", "[hmm_prompt]") {
  TuneOptions o;
  o.lr = 0.01;
  o.warmup_fraction = 0.1;
  REQUIRE(scheduled_lr(o, 0, 100) == Approx(0.001));
  REQUIRE(scheduled_lr(o, 9, 100) == Approx(0.01));
  REQUIRE(scheduled_lr(o, 10, 100) == Approx(0.01));
  REQUIRE(scheduled_lr(o, 55, 100) == Approx(0.005));
  REQUIRE(scheduled_lr(o, 99, 100) == Approx(0.01 / 90));
  o.warmup_fraction = 0.0;
  REQUIRE(scheduled_lr(o, 0, 100) == Approx(0.01));
}

TEST_CASE("classifier heads: linear reads position 0, attention pools all positions", "[hmm_prompt]") {
  torch::manual_seed(1);
  const auto probs = torch::softmax(torch::randn({5, 7, 10}), -1);
  ClassifierHead linear(HeadKind::kLinear, 10, 2);
  auto other = probs.clone();
  other.slice(1, 1).uniform_();
  REQUIRE(torch::equal(linear->forward(probs), linear->forward(other)));
  ClassifierHead attention(HeadKind::kAttention, 10, 2);
  REQUIRE(attention->forward(probs).sizes() == torch::IntArrayRef({5, 2}));
  REQUIRE_FALSE(torch::allclose(attention->forward(probs), attention->forward(other)));
}

TEST_CASE("head tuning learns a separable rule on fixed features", "[hmm_prompt]") {
  torch::manual_seed(2);
  auto gen = wei::make_generator(2, "head-test");
  const auto features = torch::softmax(3 * torch::randn({512, 1, 10}), -1);
  const auto labels = (features.select(1, 0).slice(1, 0, 3).sum(1) > features.select(1, 0).slice(1, 3, 6).sum(1)).to(torch::kInt64);
  ClassifierHead head(HeadKind::kLinear, 10, 2);
  torch::optim::Adam opt(head->parameters(), torch::optim::AdamOptions(0.01));
  TuneOptions o;
  o.batch_size = 64;
  for (int64_t e = 0; e < 30; ++e)
    train_head_epoch(head, opt, features, labels, torch::randperm(512, gen, torch::kInt64), o, e, 30, wei::StopToken());
  REQUIRE(head_accuracy(head, features, labels) > 0.9);
}

TEST_CASE("prompt tuning leaves the pretrained weights bit-identical", "[hmm_prompt]") {
  auto model = tiny_model();
  std::vector<torch::Tensor> before;
  for (const auto& p : model->parameters()) before.push_back(p.detach().clone());
  auto gen = wei::make_generator(5, "prompt-test");
  TuneOptions o;
  o.batch_size = 16;
  for (auto kind : {HeadKind::kLinear, HeadKind::kAttention}) {
    PromptTuner tuner(model, 4, kind, 10, 2, o);
    tuner.init_prompt(gen);
    const auto prompt_before = tuner.trainable()->prompt.detach().clone();
    // Each prompt vector starts as the embedding of some real token.
    const auto table = model->embed(torch::arange(10)).detach();
    for (int64_t i = 0; i < 4; ++i)
      REQUIRE(table.sub(prompt_before[i]).abs().sum(1).eq(0).any().item<bool>());
    auto inputs = torch::randint(10, {48, 9}, gen, torch::TensorOptions().dtype(torch::kInt64));
    inputs.select(1, 0).fill_(10);
    const auto labels = inputs.select(1, 1).remainder(2);
    const auto stats = tuner.train_epoch(inputs, labels, torch::randperm(48, gen, torch::kInt64), 0, 2, wei::StopToken());
    tuner.train_epoch(inputs, labels, torch::randperm(48, gen, torch::kInt64), 1, 2, wei::StopToken());
    REQUIRE(std::isfinite(stats.loss));
    // The prompt moved (gradients flowed through the frozen model into it) ...
    REQUIRE_FALSE(torch::equal(prompt_before, tuner.trainable()->prompt));
    const double acc = tuner.accuracy(inputs, labels, wei::StopToken());
    REQUIRE(acc >= 0.0);
    REQUIRE(acc <= 1.0);
  }
  // ... and every model parameter is exactly what it was.
  const auto after = model->parameters();
  REQUIRE(after.size() == before.size());
  for (size_t i = 0; i < before.size(); ++i) {
    REQUIRE_FALSE(after[i].requires_grad());
    REQUIRE(torch::equal(before[i], after[i]));
  }
}

TEST_CASE("prompt tuner state round-trips through an archive", "[hmm_prompt]") {
  auto model = tiny_model();
  auto gen = wei::make_generator(6, "prompt-test");
  TuneOptions o;
  o.batch_size = 8;
  PromptTuner a(model, 3, HeadKind::kLinear, 10, 2, o);
  a.init_prompt(gen);
  auto inputs = torch::randint(10, {16, 6}, gen, torch::TensorOptions().dtype(torch::kInt64));
  const auto labels = inputs.select(1, 2).remainder(2);
  a.train_epoch(inputs, labels, torch::arange(16), 0, 2, wei::StopToken());
  wei::CheckpointBundle saved;
  a.register_state(saved, "prompt");
  torch::serialize::OutputArchive out;
  saved.save(out);
  std::stringstream buffer;
  out.save_to(buffer);
  PromptTuner b(model, 3, HeadKind::kLinear, 10, 2, o);
  wei::CheckpointBundle loaded;
  b.register_state(loaded, "prompt");
  torch::serialize::InputArchive in;
  in.load_from(buffer);
  loaded.load(in);
  a.train_epoch(inputs, labels, torch::arange(16), 1, 2, wei::StopToken());
  b.train_epoch(inputs, labels, torch::arange(16), 1, 2, wei::StopToken());
  REQUIRE(torch::equal(a.trainable()->prompt, b.trainable()->prompt));
}
