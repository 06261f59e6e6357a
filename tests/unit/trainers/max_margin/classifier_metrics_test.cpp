#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "base/seeding.h"
#include "trainers/max_margin/classifier_metrics.h"
#include "trainers/max_margin/hard_margin_svm.h"
#include "trainers/max_margin/linear_classifier.h"
#include "trainers/max_margin/logistic_descent.h"
#include "trainers/max_margin/monte_carlo.h"

namespace wei::max_margin {

namespace {

LinearProblem mm_metrics_problem(double mu, int64_t d, int64_t n, uint64_t seed = 3) {
  at::Generator gen = wei::make_generator(seed, "metrics-test");
  return make_linear_problem(mu, 1.0, d, n, gen);
}

LinearClassifier mm_svm_of(const LinearProblem& p) {
  return from_dual(p, solve_hard_margin_svm(label_kernel(p), 1e-10, 1000000).alpha);
}

// The full weight vector (mu along coordinate 0) and the training points, explicitly.
torch::Tensor mm_weight_vector(const LinearProblem& p, const LinearClassifier& w) {
  return torch::cat({torch::full({1}, w.signal, torch::TensorOptions().dtype(torch::kDouble)), noise_weights(p, w)});
}

}  // namespace

TEST_CASE("normal_cdf matches known values in the body and the tails", "[max_margin]") {
  CHECK(normal_cdf(0) == Approx(0.5));
  CHECK(normal_cdf(1.959963984540054) == Approx(0.975).epsilon(1e-12));
  CHECK(normal_cdf(-5) == Approx(2.866515718791939e-07).epsilon(1e-9));
  CHECK(normal_cdf(-30) > 0);
  CHECK(normal_cdf(-30) < 1e-190);
}

TEST_CASE("closed-form test error agrees with Monte Carlo on 100,000 fresh full-dimension points", "[max_margin]") {
  // A noisy regime (small n, small mu) so that every error is far from 0 and 1.
  const LinearProblem p = mm_metrics_problem(0.6, 60, 20);
  const LinearClassifier svm = mm_svm_of(p);
  const LinearClassifier memoriser = noise_memoriser(p);
  LinearClassifier mixed = memoriser;
  mixed.signal = 3.0;
  for (const auto& [name, w] : std::vector<std::pair<std::string, LinearClassifier>>{
           {"svm", svm}, {"memoriser", memoriser}, {"mixed", mixed}}) {
    CAPTURE(name);
    const double closed = classifier_metrics(p, w).test_error;
    at::Generator full_gen = wei::make_generator(1, "mc-full-" + name);
    const double full = monte_carlo_test_error(p, w, 100000, McSampling::kFull, full_gen);
    at::Generator sub_gen = wei::make_generator(1, "mc-sub-" + name);
    const double sub = monte_carlo_test_error(p, w, 100000, McSampling::kSubspace, sub_gen);
    CAPTURE(closed, full, sub);
    // Binomial standard error at 1e5 points is at most 0.0016: allow 4 of them.
    CHECK(std::abs(full - closed) < 0.0064);
    CHECK(std::abs(sub - closed) < 0.0064);
  }
  CHECK(classifier_metrics(p, memoriser).test_error == Approx(0.5));  // no signal: a coin flip
}

TEST_CASE("train, S' errors and margins agree with the explicit points", "[max_margin]") {
  const LinearProblem p = mm_metrics_problem(2.0, 300, 40);
  // The memoriser with signal equal to its median noise margin: half of S' right, half wrong. (Not
  // the SVM: its support vectors share one noise margin.)
  LinearClassifier w = noise_memoriser(p);
  std::vector<double> noise_margins = noise_products(p, w).per_point;
  std::nth_element(noise_margins.begin(), noise_margins.begin() + p.n / 2, noise_margins.end());
  w.signal = noise_margins[p.n / 2] / p.mu_norm * (1 + 1e-9);
  const torch::Tensor weights = mm_weight_vector(p, w);
  const auto f64 = torch::TensorOptions().dtype(torch::kDouble);
  const torch::Tensor mu_column = torch::full({p.n, 1}, p.mu_norm, f64);
  // y_i x_i = mu + z_i, and on S' (noise negated, label kept) y_i x'_i = mu - z_i.
  const torch::Tensor train = torch::mv(torch::cat({mu_column, p.signed_noise}, 1), weights);
  const torch::Tensor s_prime = torch::mv(torch::cat({mu_column, -p.signed_noise}, 1), weights);
  const ClassifierMetrics m = classifier_metrics(p, w);
  CHECK(m.train_error == Approx(train.le(0).to(torch::kDouble).mean().item<double>()));
  CHECK(m.s_prime_error == Approx(s_prime.le(0).to(torch::kDouble).mean().item<double>()));
  CHECK(m.s_prime_error > 0);
  CHECK(m.s_prime_error < 1);
  CHECK(m.normalized_margin == Approx(train.min().item<double>() / weights.norm().item<double>()));
  CHECK(m.cos_mu == Approx(w.signal / weights.norm().item<double>()));
}

TEST_CASE("removing signal reaches the target margin exactly, taking away the most signal", "[max_margin]") {
  const LinearProblem p = mm_metrics_problem(4.0, 4000, 40);
  const LinearClassifier svm = mm_svm_of(p);
  const double best = classifier_metrics(p, svm).normalized_margin;
  // From the SVM any fraction is reachable; the memoriser's family peaks below 0.9 of the maximum.
  for (const auto& [fraction, start] : std::vector<std::pair<double, LinearClassifier>>{
           {0.9, svm}, {0.5, svm}, {0.2, svm}, {0.5, noise_memoriser(p)}, {0.2, noise_memoriser(p)}}) {
    CAPTURE(fraction, start.signal);
    {
      const auto built = remove_signal_to_margin(p, start, fraction * best);
      REQUIRE(built);
      CHECK(classifier_metrics(p, built->classifier).normalized_margin == Approx(fraction * best).epsilon(1e-9));
      CHECK(built->classifier.signal == Approx(start.signal - built->removed));
      // Removing a little more drops the margin below the target: this is the largest t.
      LinearClassifier more = built->classifier;
      more.signal -= 1e-3 * std::abs(more.signal) + 1e-6;
      CHECK(classifier_metrics(p, more).normalized_margin < fraction * best);
    }
  }
  // Above every margin w - t mu/||mu|| can have: none.
  CHECK_FALSE(remove_signal_to_margin(p, noise_memoriser(p), 10 * best));
}

TEST_CASE("logistic regression by gradient descent heads for the max-margin direction", "[max_margin]") {
  const LinearProblem p = mm_metrics_problem(3.0, 2000, 30);
  const torch::Tensor kernel = label_kernel(p);
  const double best = classifier_metrics(p, mm_svm_of(p)).normalized_margin;
  LogisticDescent gd(kernel, 1.0 / logistic_smoothness(kernel));
  double previous_loss = gd.loss(), previous_ratio = 0;
  CHECK(previous_loss == Approx(std::log(2.0)));
  for (int round = 0; round < 4; ++round) {
    gd.run(round == 0 ? 10 : 1000);
    const double ratio = classifier_metrics(p, from_dual(p, gd.coef())).normalized_margin / best;
    CAPTURE(round, ratio);
    CHECK(gd.loss() < previous_loss);
    CHECK(ratio > previous_ratio);
    CHECK(ratio <= 1.0 + 1e-9);
    previous_loss = gd.loss();
    previous_ratio = ratio;
  }
  CHECK(previous_ratio > 0.8);
  // The kernel iteration is gradient descent on w: one explicit step from the same point agrees.
  const std::vector<double> beta = gd.coef();
  const double lr = 1.0 / logistic_smoothness(kernel);
  const auto f64 = torch::TensorOptions().dtype(torch::kDouble);
  const torch::Tensor signed_points = torch::cat({torch::full({p.n, 1}, p.mu_norm, f64), p.signed_noise}, 1);
  torch::Tensor w = torch::mv(signed_points.t(), torch::tensor(beta, f64));
  const torch::Tensor grad = -torch::mv(signed_points.t(), torch::sigmoid(-torch::mv(signed_points, w))) / double(p.n);
  w = w - lr * grad;
  gd.run(1);
  const torch::Tensor w_kernel = torch::mv(signed_points.t(), torch::tensor(gd.coef(), f64));
  CHECK(torch::allclose(w, w_kernel, 1e-10, 1e-10));
}

}  // namespace wei::max_margin
