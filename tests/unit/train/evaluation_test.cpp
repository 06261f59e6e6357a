#include "train/evaluation.h"

#include <catch2/catch.hpp>

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
