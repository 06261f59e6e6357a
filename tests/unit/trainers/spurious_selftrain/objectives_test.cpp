#include <catch2/catch.hpp>

#include <cmath>

#include "trainers/spurious_selftrain/objectives.h"

using namespace wei::spurious_selftrain;

// Hand values: with p = 3/4 (z = ln 3, or logits [0, ln 3]) the entropy is
// -(1/4) ln(1/4) - (3/4) ln(3/4) = ln 4 - (3/4) ln 3 = 0.5623351446; at p = 1/2 it is ln 2.
constexpr double kEntropyQuarter = 0.5623351446188083;

TEST_CASE("binary entropy of sigmoid margins matches hand values", "[spurious_selftrain]") {
  const torch::Tensor z = torch::tensor({0.0, std::log(3.0), -std::log(3.0)}, torch::kDouble);
  CHECK(binary_entropy(z.slice(0, 0, 1)).item<double>() == Approx(std::log(2.0)).epsilon(1e-12));
  CHECK(binary_entropy(z.slice(0, 1, 2)).item<double>() == Approx(kEntropyQuarter).epsilon(1e-12));
  CHECK(binary_entropy(z).item<double>() == Approx((std::log(2.0) + 2 * kEntropyQuarter) / 3).epsilon(1e-12));
  // Stable for huge margins: entropy 0, not NaN.
  CHECK(binary_entropy(torch::tensor({500.0, -500.0}, torch::kDouble)).item<double>() == Approx(0).margin(1e-12));
}

TEST_CASE("binary entropy gradient pushes margins away from zero", "[spurious_selftrain]") {
  // dH/dz = -z p (1 - p); at z = ln 3: -ln 3 * 3/16.
  const torch::Tensor z = torch::tensor({std::log(3.0)}, torch::kDouble).requires_grad_(true);
  binary_entropy(z).backward();
  CHECK(z.grad().item<double>() == Approx(-std::log(3.0) * 3.0 / 16.0).epsilon(1e-12));
}

TEST_CASE("softmax entropy matches hand values", "[spurious_selftrain]") {
  const torch::Tensor logits = torch::tensor({0.0, std::log(3.0), 5.0, 5.0}, torch::kDouble).view({2, 2});
  // Rows: p = (1/4, 3/4) and (1/2, 1/2).
  CHECK(softmax_entropy(logits).item<double>() == Approx((kEntropyQuarter + std::log(2.0)) / 2).epsilon(1e-12));
  const torch::Tensor uniform10 = torch::zeros({3, 10}, torch::kDouble);
  CHECK(softmax_entropy(uniform10).item<double>() == Approx(std::log(10.0)).epsilon(1e-12));
}

TEST_CASE("logistic loss matches hand values", "[spurious_selftrain]") {
  // Labels 1 and 0 with margins 2 and 1: mean of log(1 + e^-2) and log(1 + e^1).
  const torch::Tensor z = torch::tensor({2.0, 1.0}, torch::kDouble);
  const torch::Tensor y = torch::tensor({1.0, 0.0}, torch::kDouble);
  const double expected = (std::log1p(std::exp(-2.0)) + std::log1p(std::exp(1.0))) / 2;
  CHECK(logistic_loss(z, y).item<double>() == Approx(expected).epsilon(1e-12));
  CHECK(expected == Approx(0.7200948492805977).epsilon(1e-12));
}

TEST_CASE("binary pseudo-labels keep only confident margins", "[spurious_selftrain]") {
  const torch::Tensor z = torch::tensor({0.05, -0.5, 0.2, -0.1, 0.1000001});
  const auto [labels, kept] = confident_binary_labels(z, 0.1);
  REQUIRE(kept.size(0) == 3);
  CHECK(kept[0].item<int64_t>() == 1);
  CHECK(kept[1].item<int64_t>() == 2);
  CHECK(kept[2].item<int64_t>() == 4);
  CHECK(labels[0].item<float>() == 0.0f);
  CHECK(labels[1].item<float>() == 1.0f);
  CHECK(labels[2].item<float>() == 1.0f);
}

TEST_CASE("multi-class pseudo-labels use the top class above the confidence", "[spurious_selftrain]") {
  // Row 0: p = (1/4, 3/4) -> class 1 at 0.75; row 1: uniform over 2 -> 0.5; row 2: class 0.
  const torch::Tensor logits = torch::tensor({0.0, std::log(3.0), 1.0, 1.0, 4.0, 0.0}).view({3, 2});
  const auto [labels, kept] = confident_pseudo_labels(logits, 0.7);
  REQUIRE(kept.size(0) == 2);
  CHECK(kept[0].item<int64_t>() == 0);
  CHECK(kept[1].item<int64_t>() == 2);
  CHECK(labels[0].item<int64_t>() == 1);
  CHECK(labels[1].item<int64_t>() == 0);
  CHECK(confident_pseudo_labels(logits, 0.0).second.size(0) == 3);
}
