#include <catch2/catch.hpp>

#include <cmath>

#include "trainers/imbalanced_cifar/losses.h"

using namespace wei::imbalanced_cifar;

namespace {

double value(const torch::Tensor& t) { return t.item<double>(); }

const torch::Tensor kUniform;  // undefined: no class weights

}  // namespace

TEST_CASE("cross-entropy and its class-weighted mean", "[imbalanced_cifar][losses]") {
  auto logits = torch::tensor({{1.0f, 2.0f, 3.0f}, {0.0f, 0.0f, 0.0f}});
  auto targets = torch::tensor({2, 0}, torch::kInt64);
  const double l0 = -std::log(std::exp(3.0) / (std::exp(1.0) + std::exp(2.0) + std::exp(3.0)));
  const double l1 = std::log(3.0);
  CHECK(value(weighted_cross_entropy(logits, targets, kUniform)) == Approx((l0 + l1) / 2).epsilon(1e-6));
  auto w = torch::tensor({4.0f, 1.0f, 0.5f});
  CHECK(value(weighted_cross_entropy(logits, targets, w)) == Approx((0.5 * l0 + 4 * l1) / 4.5).epsilon(1e-6));
}

TEST_CASE("focal loss in the reference-code form", "[imbalanced_cifar][losses]") {
  auto logits = torch::tensor({{2.0f, 0.0f}, {0.0f, 1.0f}});
  auto targets = torch::tensor({0, 0}, torch::kInt64);
  const double ce0 = std::log(1 + std::exp(-2.0)), ce1 = std::log(1 + std::exp(1.0));
  auto focal = [](double ce, double gamma) { return std::pow(1 - std::exp(-ce), gamma) * ce; };
  CHECK(value(focal_loss(logits, targets, 1.0, kUniform)) == Approx((focal(ce0, 1) + focal(ce1, 1)) / 2).epsilon(1e-6));
  CHECK(value(focal_loss(logits, targets, 2.0, kUniform)) == Approx((focal(ce0, 2) + focal(ce1, 2)) / 2).epsilon(1e-6));
  // gamma = 0 is plain cross-entropy.
  CHECK(value(focal_loss(logits, targets, 0.0, kUniform)) == Approx(value(weighted_cross_entropy(logits, targets, kUniform))));
  // Weights scale the per-example CE inside the focal term; plain mean afterwards.
  auto w = torch::tensor({3.0f, 1.0f});
  CHECK(value(focal_loss(logits, targets, 1.0, w)) == Approx((focal(3 * ce0, 1) + focal(3 * ce1, 1)) / 2).epsilon(1e-6));
}

TEST_CASE("LDAM subtracts the true class margin before scaling", "[imbalanced_cifar][losses]") {
  auto cosines = torch::tensor({{0.5f, 0.2f}, {0.1f, 0.3f}});
  auto targets = torch::tensor({0, 1}, torch::kInt64);
  auto margins = torch::tensor({0.1f, 0.25f});
  // Example 0: z = 10 * (0.4, 0.2); example 1: z = 10 * (0.1, 0.05).
  const double l0 = std::log(1 + std::exp(-2.0)), l1 = std::log(1 + std::exp(0.5));
  CHECK(value(margin_cross_entropy_loss(cosines, targets, margins, 10.0, kUniform)) == Approx((l0 + l1) / 2).epsilon(1e-6));
  auto w = torch::tensor({1.0f, 3.0f});
  CHECK(value(margin_cross_entropy_loss(cosines, targets, margins, 10.0, w)) ==
        Approx((l0 + 3 * l1) / 4).epsilon(1e-6));
  // Zero margins and scale 1: plain cross-entropy.
  CHECK(value(margin_cross_entropy_loss(cosines, targets, torch::zeros({2}), 1.0, kUniform)) ==
        Approx(value(weighted_cross_entropy(cosines, targets, kUniform))));
  // Gradients flow to the logits.
  auto x = cosines.clone().requires_grad_(true);
  margin_cross_entropy_loss(x, targets, margins, 10.0, kUniform).backward();
  CHECK(x.grad().abs().sum().item<double>() > 0);
}

TEST_CASE("multi-class hinge with uniform and per-class margins", "[imbalanced_cifar][losses]") {
  auto z = torch::tensor({{0.5f, 0.2f, 0.4f}, {0.5f, 0.2f, 0.4f}, {0.9f, 0.1f, 0.0f}});
  auto targets = torch::tensor({0, 1, 0}, torch::kInt64);
  // Margins 0.2 (classes 0, 2) and 0.1 (class 1), scale 1:
  // ex0: max(0, 0.4 - 0.5 + 0.2) = 0.1; ex1: 0.5 - 0.2 + 0.1 = 0.4; ex2: max(0, 0.1 - 0.9 + 0.2) = 0.
  auto margins = torch::tensor({0.2f, 0.1f, 0.2f});
  CHECK(value(multiclass_hinge_loss(z, targets, margins, 1.0, kUniform)) == Approx(0.5 / 3).epsilon(1e-6));
  // Scale multiplies logits and margins alike.
  CHECK(value(multiclass_hinge_loss(z, targets, margins, 30.0, kUniform)) == Approx(30 * 0.5 / 3).epsilon(1e-5));
  auto w = torch::tensor({1.0f, 2.0f, 1.0f});
  CHECK(value(multiclass_hinge_loss(z, targets, margins, 1.0, w)) == Approx((0.1 + 0.8) / 4).epsilon(1e-6));
}

TEST_CASE("loss dispatch and cosine-logit losses", "[imbalanced_cifar][losses]") {
  CHECK(wei::name_of(loss_type_names(), LossType::kLdamHinge) == "ldam_hinge");
  CHECK(loss_type_names().size() == 6);
  CHECK(uses_cosine_logits(LossType::kLdam));
  CHECK(uses_cosine_logits(LossType::kMarginCe));
  CHECK_FALSE(uses_cosine_logits(LossType::kFocal));
  LossConfig config;
  config.type = LossType::kLdam;
  config.scale = 10.0;
  config.margins = torch::tensor({0.1f, 0.25f});
  auto cosines = torch::tensor({{0.5f, 0.2f}});
  auto targets = torch::tensor({0}, torch::kInt64);
  CHECK(value(imbalance_loss(config, cosines, targets, kUniform)) == Approx(std::log(1 + std::exp(-2.0))).epsilon(1e-6));
}
