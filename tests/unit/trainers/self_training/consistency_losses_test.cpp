#include "trainers/self_training/consistency_losses.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "base/seeding.h"

using wei::self_training::masked_pseudo_label_loss;
using wei::self_training::mean_kl_divergence;
using wei::self_training::vat_perturbation;

namespace {

// Cross-entropy of one row of logits against `label`, in double precision by hand.
double cross_entropy(const std::vector<double>& logits, int64_t label) {
  double top = logits[0];
  for (double v : logits) top = std::max(top, v);
  double sum = 0;
  for (double v : logits) sum += std::exp(v - top);
  return std::log(sum) + top - logits[static_cast<size_t>(label)];
}

}  // namespace

TEST_CASE("FixMatch's masked pseudo-label loss on a hand-computed batch", "[self_training]") {
  // Confidences of the weak view: 0.9999 (class 0), 0.576 (class 0), 0.9999 (class 2), 0.9867 (class 1).
  const auto weak = torch::tensor({{10.0, 0.0, 0.0}, {1.0, 0.0, 0.0}, {0.0, 0.0, 10.0}, {0.0, 5.0, 0.0}})
                        .to(torch::kFloat)
                        .requires_grad_(true);
  const std::vector<std::vector<double>> strong_values = {{0.5, 1.0, -1.0}, {2.0, 0.0, 0.0}, {0.0, 3.0, 1.0},
                                                          {-1.0, 0.5, 0.25}};
  auto strong = torch::tensor({0.5, 1.0, -1.0, 2.0, 0.0, 0.0, 0.0, 3.0, 1.0, -1.0, 0.5, 0.25}, torch::kFloat)
                    .reshape({4, 3})
                    .requires_grad_(true);
  const auto term = masked_pseudo_label_loss(weak, strong, 0.95);
  CHECK(term.labels.equal(torch::tensor({0, 0, 2, 1}, torch::kInt64)));
  CHECK(term.mask.equal(torch::tensor({1.0f, 0.0f, 1.0f, 1.0f})));
  // The mean over all four examples, the dropped one counting as 0.
  const double expected =
      (cross_entropy(strong_values[0], 0) + cross_entropy(strong_values[2], 2) + cross_entropy(strong_values[3], 1)) / 4;
  CHECK(term.loss.item<double>() == Approx(expected).epsilon(1e-6));
  term.loss.backward();
  CHECK_FALSE(weak.grad().defined());  // the labelling view gets no gradient
  CHECK(strong.grad()[1].abs().sum().item<double>() == 0.0);  // nor does a masked example
  CHECK(strong.grad()[0].abs().sum().item<double>() > 0.0);

  // The threshold keeps a confidence equal to it; a weight lambda_u is the caller's factor.
  const auto certain = torch::tensor({{100.0f, 0.0f}, {0.0f, 0.0f}});
  const auto at_one = masked_pseudo_label_loss(certain, certain, 1.0);
  CHECK(at_one.mask.equal(torch::tensor({1.0f, 0.0f})));
  const auto at_half = masked_pseudo_label_loss(certain, certain, 0.5);
  CHECK(at_half.mask.equal(torch::tensor({1.0f, 1.0f})));
}

TEST_CASE("mean KL divergence: zero on equal predictions, the closed form on two classes", "[self_training]") {
  const auto p = torch::tensor({{1.0, -1.0}, {0.0, 2.0}}, torch::kDouble);
  CHECK(mean_kl_divergence(p, p).item<double>() == Approx(0.0).margin(1e-12));
  const auto q = torch::tensor({{0.0, 0.0}, {0.0, 0.0}}, torch::kDouble);
  double expected = 0;
  for (const auto& [a, b] : std::vector<std::pair<double, double>>{{1.0, -1.0}, {0.0, 2.0}}) {
    const double pa = 1 / (1 + std::exp(b - a)), pb = 1 - pa;
    expected += (pa * std::log(pa / 0.5) + pb * std::log(pb / 0.5)) / 2;
  }
  CHECK(mean_kl_divergence(p, q).item<double>() == Approx(expected).epsilon(1e-12));
}

TEST_CASE("the VAT perturbation has the radius and the direction of the KL gradient (finite differences)",
          "[self_training]") {
  torch::manual_seed(0);
  const auto w = torch::randn({3, 5}, torch::kDouble);
  const auto x = torch::randn({4, 5}, torch::kDouble);
  const auto logits_of = [&](const torch::Tensor& inputs) { return inputs.matmul(w.t()) * 2.0; };
  const auto clean = logits_of(x);
  const double radius = 0.7, xi = 1e-3;
  auto gen = wei::make_generator(11, "vat");
  const torch::Tensor r = vat_perturbation(logits_of, x, clean, radius, xi, gen);
  CHECK(r.sizes() == x.sizes());
  for (int64_t i = 0; i < 4; ++i) CHECK(r[i].norm().item<double>() == Approx(radius).epsilon(1e-9));

  // The same starting direction, then the gradient by central differences.
  auto again = wei::make_generator(11, "vat");
  const torch::Tensor d0 = torch::randn(x.sizes(), again, torch::kFloat).to(torch::kDouble);
  const torch::Tensor d = xi * wei::self_training::unit_rows(d0);
  const auto kl_at = [&](const torch::Tensor& shift) { return mean_kl_divergence(clean, logits_of(x + shift)).item<double>(); };
  const double h = 1e-7;
  auto g = torch::zeros_like(x);
  for (int64_t i = 0; i < 4; ++i) {
    for (int64_t j = 0; j < 5; ++j) {
      auto plus = d.clone(), minus = d.clone();
      plus[i][j] += h;
      minus[i][j] -= h;
      g[i][j] = (kl_at(plus) - kl_at(minus)) / (2 * h);
    }
  }
  const torch::Tensor expected = radius * wei::self_training::unit_rows(g);
  CHECK(torch::allclose(r, expected, 1e-4, 1e-5));
}
