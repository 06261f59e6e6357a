#include <catch2/catch.hpp>

#include "base/seeding.h"
#include "trainers/hmm_prompt/downstream_task.h"
#include "trainers/hmm_prompt/forward_backward.h"

using namespace wei::hmm_prompt;

TEST_CASE("downstream task: labels are argmax of a sparse matrix on the exact posterior", "[hmm_prompt]") {
  auto rng = wei::make_std_rng(4, "task-test");
  TaskOptions o;
  o.sequence_length = 40;
  o.train_size = 300;
  o.val_size = 20;
  o.test_size = 30;
  SECTION("vanilla") {
    const Hmm hmm = make_vanilla_hmm(8, 10, HmmTemperatures{}, rng);
    const DownstreamTask task = make_task(hmm, o, rng);
    REQUIRE(task.label_matrix.sizes() == torch::IntArrayRef({2, 8}));
    REQUIRE(task.label_matrix.ne(0).sum().item<int64_t>() == 6);
    REQUIRE(task.train.tokens.sizes() == torch::IntArrayRef({300, 40}));
    REQUIRE(task.test.posterior.sizes() == torch::IntArrayRef({30, 8}));
    const double ones = task.train.labels.to(torch::kFloat64).mean().item<double>();
    REQUIRE(std::min(ones, 1.0 - ones) >= kMinClassFraction);
    // Recompute one posterior: x_0 is hidden, the rest observed.
    std::vector<int64_t> x(40);
    for (int64_t t = 0; t < 40; ++t) x[t] = task.val.tokens[3][t].item<int64_t>();
    x[0] = -1;
    const Posteriors fb = forward_backward(hmm, x.data(), 40);
    for (int64_t i = 0; i < 8; ++i)
      REQUIRE(task.val.posterior[3][i].item<double>() == Approx(fb.smoothed[i]).margin(1e-6));
    const auto scores = task.label_matrix.matmul(torch::tensor(std::vector<double>(fb.smoothed.begin(), fb.smoothed.begin() + 8), torch::kFloat64));
    REQUIRE(task.val.labels[3].item<int64_t>() == scores.argmax().item<int64_t>());

    const auto input = masked_input(task.train, 5, 10);
    REQUIRE(input.sizes() == torch::IntArrayRef({300, 6}));
    REQUIRE(input.select(1, 0).eq(10).all().item<bool>());
    REQUIRE(torch::equal(input.slice(1, 1), task.train.tokens.slice(1, 1, 6)));
    REQUIRE_THROWS(masked_input(task.train, 40, 10));
  }
  SECTION("memory: the posterior is over the memory value") {
    const Hmm hmm = make_memory_hmm(3, 10, HmmTemperatures{}, rng);
    const DownstreamTask task = make_task(hmm, o, rng);
    REQUIRE(task.label_matrix.sizes() == torch::IntArrayRef({2, 3}));
    REQUIRE(task.train.posterior.sum(1).sub(1).abs().max().item<double>() < 1e-5);
  }
}

TEST_CASE("exact MLM probabilities give the masked token given the visible input from the true HMM", "[hmm_prompt]") {
  auto rng = wei::make_std_rng(21, "exact-mlm-test");
  TaskOptions o;
  o.sequence_length = 30;
  o.train_size = 40;
  o.val_size = 5;
  o.test_size = 5;
  const Hmm hmm = make_vanilla_hmm(5, 10, HmmTemperatures{}, rng);
  const DownstreamTask task = make_task(hmm, o, rng);
  const int64_t visible = 12;
  const auto first = exact_mlm_probabilities(hmm, task.train, visible, 1);
  const auto all = exact_mlm_probabilities(hmm, task.train, visible, visible + 1);
  REQUIRE(first.sizes() == torch::IntArrayRef({40, 1, 10}));
  REQUIRE(all.sizes() == torch::IntArrayRef({40, 13, 10}));
  REQUIRE(first.scalar_type() == torch::kFloat32);
  REQUIRE(all.sum(2).sub(1).abs().max().item<double>() < 1e-5);
  // Both ways of computing position 0 agree.
  REQUIRE(all.select(1, 0).sub(first.select(1, 0)).abs().max().item<double>() < 1e-6);
  for (int64_t n : {0, 7, 39}) {
    // P(x_0 | x_1..x_visible) = sum_h P(h_0 | x_1..x_visible) emit[h][x_0], only the visible
    // tokens observed (not the rest of the 30-token sequence the label reads).
    std::vector<int64_t> x(visible + 1);
    for (int64_t t = 0; t <= visible; ++t) x[t] = task.train.tokens[n][t].item<int64_t>();
    x[0] = -1;
    const Posteriors fb = forward_backward(hmm, x.data(), visible + 1);
    for (int64_t v = 0; v < 10; ++v) {
      double expected = 0.0;
      for (int64_t h = 0; h < 5; ++h) expected += fb.smoothed[h] * hmm.emit[h * 10 + v];
      REQUIRE(first[n][0][v].item<double>() == Approx(expected).margin(1e-6));
    }
    // Position 5 of the input: x_5 given x_1..x_4, x_6..x_visible.
    const Posteriors loo = forward_backward(hmm, x.data(), visible + 1, true);
    const auto p5 = masked_token_probabilities(hmm, loo);
    for (int64_t v = 0; v < 10; ++v) REQUIRE(all[n][5][v].item<double>() == Approx(p5[5 * 10 + v]).margin(1e-6));
  }
  REQUIRE_THROWS(exact_mlm_probabilities(hmm, task.train, 30, 1));
  REQUIRE_THROWS(exact_mlm_probabilities(hmm, task.train, visible, visible + 2));
}

TEST_CASE("label matrix draws use distinct cells or the reference code's cells with replacement", "[hmm_prompt]") {
  auto rng = wei::make_std_rng(21, "label-draw-test");
  // 4 cells, 6 draws: distinct cells cap at 4; with replacement, E[distinct cells] = 4 (1 - (3/4)^6).
  const int64_t draws = 4000;
  double distinct_cells = 0.0;
  for (int64_t i = 0; i < draws; ++i) {
    const auto distinct = draw_label_matrix(2, 6, false, rng);
    REQUIRE(distinct.ne(0).sum().item<int64_t>() == 4);
    const auto reference = draw_label_matrix(2, 6, true, rng);
    const int64_t nonzero = reference.ne(0).sum().item<int64_t>();
    REQUIRE(nonzero >= 1);
    REQUIRE(nonzero <= 4);
    distinct_cells += static_cast<double>(nonzero);
  }
  const double expected = 4.0 * (1.0 - std::pow(0.75, 6));
  REQUIRE(distinct_cells / draws == Approx(expected).margin(0.04));
  // 16 cells, 6 draws: all 6 distinct with probability 16!/10!/16^6 = 0.34 only.
  int64_t six = 0;
  for (int64_t i = 0; i < draws; ++i) {
    REQUIRE(draw_label_matrix(8, 6, false, rng).ne(0).sum().item<int64_t>() == 6);
    six += draw_label_matrix(8, 6, true, rng).ne(0).sum().item<int64_t>() == 6;
  }
  REQUIRE(static_cast<double>(six) / draws == Approx(16.0 * 15 * 14 * 13 * 12 * 11 / std::pow(16.0, 6)).margin(0.03));
}

TEST_CASE("reference label draw keeps both classes and needs no minimum minority fraction", "[hmm_prompt]") {
  TaskOptions o;
  o.sequence_length = 20;
  o.train_size = 200;
  o.val_size = 10;
  o.test_size = 10;
  int64_t below_min = 0;
  int64_t fewer_cells = 0;
  for (uint64_t seed = 0; seed < 40; ++seed) {
    auto hmm_rng = wei::make_std_rng(seed, "reference-draw-hmm");
    const Hmm hmm = make_vanilla_hmm(4, 10, HmmTemperatures{}, hmm_rng);
    auto distinct_rng = wei::make_std_rng(seed, "reference-draw-task");
    auto reference_rng = distinct_rng;
    const DownstreamTask distinct = make_task(hmm, o, distinct_rng);
    o.reference_label_draw = true;
    const DownstreamTask reference = make_task(hmm, o, reference_rng);
    o.reference_label_draw = false;
    // The same examples: only the label matrix differs.
    REQUIRE(torch::equal(distinct.train.tokens, reference.train.tokens));
    const int64_t cells = reference.label_matrix.ne(0).sum().item<int64_t>();
    REQUIRE(cells <= 6);
    fewer_cells += cells < 6;
    const double ones = reference.train.labels.to(torch::kFloat64).mean().item<double>();
    REQUIRE(ones > 0.0);
    REQUIRE(ones < 1.0);
    below_min += std::min(ones, 1.0 - ones) < kMinClassFraction;
    const double distinct_ones = distinct.train.labels.to(torch::kFloat64).mean().item<double>();
    REQUIRE(std::min(distinct_ones, 1.0 - distinct_ones) >= kMinClassFraction);
  }
  // 6 cells of 8 drawn with replacement coincide with probability 0.92.
  REQUIRE(fewer_cells > 20);
  // Whether a minority class under 10 % is kept depends on the draw (none in these 40 at H = 4).
  INFO("reference tasks with a minority class under 10%: " << below_min);
}
