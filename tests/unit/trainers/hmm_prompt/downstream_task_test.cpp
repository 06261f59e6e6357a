#include <catch2/catch.hpp>

#include "base/seeding.h"
#include "trainers/hmm_prompt/downstream_task.h"
#include "trainers/hmm_prompt/forward_backward.h"

using namespace wei::hmm;

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
