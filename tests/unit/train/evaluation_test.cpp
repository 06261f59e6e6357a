#include "train/evaluation.h"

#include <catch2/catch.hpp>
#include <torch/nn/functional/loss.h>

#include "base/errors.h"

TEST_CASE("batched evaluation: no autograd, eval mode, previous modes restored", "[train]") {
  torch::nn::Linear a(3, 2), b(3, 2);
  a->train();
  b->eval();
  const auto x = torch::randn({10, 3});
  std::vector<int64_t> lengths;
  const auto out = wei::evaluate_in_batches({a.get(), b.get()}, 10, 4, wei::StopToken(), [&](int64_t start, int64_t n) {
    CHECK_FALSE(torch::GradMode::is_enabled());
    CHECK_FALSE(a->is_training());
    lengths.push_back(n);
    return a->forward(x.narrow(0, start, n));
  });
  CHECK(lengths == std::vector<int64_t>{4, 4, 2});
  CHECK(torch::allclose(out, a->forward(x)));
  CHECK_FALSE(out.requires_grad());
  CHECK(a->is_training());
  CHECK_FALSE(b->is_training());
  CHECK(torch::GradMode::is_enabled());
}

TEST_CASE("an evaluation interrupted by a stop request restores the modes", "[train]") {
  torch::nn::Linear a(3, 2);
  a->train();
  int polls = 0;
  const wei::StopToken stop([&polls] { return ++polls > 2; });
  CHECK_THROWS_AS(wei::evaluate_in_batches({a.get()}, 10, 3, stop,
                                           [&](int64_t, int64_t n) { return torch::zeros({n, 2}); }),
                  wei::InterruptedError);
  CHECK(polls == 3);
  CHECK(a->is_training());
  CHECK(torch::GradMode::is_enabled());
}

TEST_CASE("classification scores: loss, accuracy, error and per-class tallies", "[train]") {
  // Three examples of class 0 (two right), one of class 1 (wrong), none of class 2.
  const torch::Tensor logits = torch::tensor({{2.0, 0.0, 0.0}, {3.0, 1.0, 0.0}, {0.0, 1.0, 0.0}, {1.0, 0.0, 0.0}});
  const torch::Tensor labels = torch::tensor({0, 0, 0, 1}, torch::kInt64);
  nlohmann::ordered_json row;
  wei::add_scores(row, "test_", logits, labels, /*with_error=*/true);
  CHECK(row["test_accuracy"].get<double>() == 50.0);
  CHECK(row["test_error"].get<double>() == 50.0);
  CHECK(row["test_loss"].get<double>() == Approx(torch::nn::functional::cross_entropy(logits, labels).item<double>()));
  nlohmann::ordered_json plain;
  wei::add_scores(plain, "", logits, labels);
  CHECK_FALSE(plain.contains("error"));

  const wei::ClassTally tally = wei::class_tally(logits.argmax(1), labels, 3);
  CHECK(tally.examples == std::vector<double>{3, 1, 0});
  CHECK(tally.correct == std::vector<double>{2, 0, 0});
  const auto percent = tally.accuracy();
  CHECK(percent[0] == Approx(200.0 / 3));
  CHECK(percent[1] == 0.0);
  CHECK(percent[2] == 0.0);
}
