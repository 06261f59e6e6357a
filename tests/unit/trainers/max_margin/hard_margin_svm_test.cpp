#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "base/seeding.h"
#include "trainers/max_margin/hard_margin_svm.h"
#include "trainers/max_margin/linear_problem.h"

namespace wei::max_margin {

namespace {

// y_i x_i of a separable random instance: Gaussian points labelled by a random direction, with
// points closer than `gap` to its hyperplane dropped.
torch::Tensor mm_separable_signed_points(int64_t n, int64_t d, uint64_t seed) {
  at::Generator gen = wei::make_generator(seed, "svm-test");
  const auto f64 = torch::TensorOptions().dtype(torch::kDouble);
  const torch::Tensor truth = torch::randn({d}, gen, f64);
  torch::Tensor x = torch::randn({4 * n, d}, gen, f64);
  const torch::Tensor score = torch::mv(x, truth) / truth.norm();
  const torch::Tensor keep = score.abs().gt(0.1).nonzero().squeeze(1).narrow(0, 0, n);
  x = x.index_select(0, keep);
  return x * score.index_select(0, keep).sign().unsqueeze(1);
}

// KKT conditions of min 1/2 ||w||^2 s.t. y_i w.x_i >= 1 at w = sum_i alpha_i y_i x_i (stationarity
// holds by construction): alpha >= 0, primal feasibility, complementary slackness.
void mm_check_kkt(const torch::Tensor& signed_points, double tolerance) {
  const torch::Tensor kernel = torch::mm(signed_points, signed_points.t());
  const SvmSolution s = solve_hard_margin_svm(kernel, tolerance, 1000000);
  REQUIRE(s.converged);
  CHECK(s.relative_gap <= tolerance);
  const torch::Tensor alpha = torch::tensor(s.alpha, torch::TensorOptions().dtype(torch::kDouble));
  const torch::Tensor w = torch::mv(signed_points.t(), alpha);
  const torch::Tensor margins = torch::mv(signed_points, w);  // recomputed from w, not from the solver
  const double alpha_scale = alpha.max().item<double>();
  CHECK(alpha.min().item<double>() >= 0.0);
  // Feasibility and slackness within the gap: the rescaled primal point is within sqrt(gap) of w*.
  const double slack = 10 * std::sqrt(tolerance);
  CHECK(margins.min().item<double>() >= 1.0 - slack);
  CHECK((alpha * (margins - 1.0)).abs().max().item<double>() <= slack * alpha_scale);
  // Strong duality: primal 1/2 ||w||^2 = dual sum alpha - 1/2 ||w||^2, so ||w||^2 = sum alpha.
  CHECK(w.dot(w).item<double>() == Approx(alpha.sum().item<double>()).epsilon(slack));
  CHECK(s.normalized_margin() == Approx(margins.min().item<double>() / w.norm().item<double>()).epsilon(1e-9));
  CHECK(s.support_vectors() >= 1);
  // No nearby direction beats it: random perturbations of w have smaller normalised margins.
  at::Generator gen = wei::make_generator(7, "svm-test-directions");
  for (int k = 0; k < 20; ++k) {
    const torch::Tensor noise = torch::randn(w.sizes(), gen, w.options()) / std::sqrt(double(w.size(0)));
    const torch::Tensor u = w + 0.3 * w.norm() * noise;
    const double margin_u = torch::mv(signed_points, u).min().item<double>() / u.norm().item<double>();
    CHECK(margin_u <= s.normalized_margin() * (1 + 1e-9));
  }
}

}  // namespace

TEST_CASE("hard-margin SVM meets the KKT conditions on random separable instances", "[max_margin]") {
  for (const auto& [n, d, seed] : std::vector<std::tuple<int64_t, int64_t, uint64_t>>{
           {20, 100, 1}, {60, 30, 2}, {200, 5, 3}, {150, 2, 4}}) {
    CAPTURE(n, d, seed);
    mm_check_kkt(mm_separable_signed_points(n, d, seed), 1e-10);
  }
}

TEST_CASE("hard-margin SVM on the linear setting: KKT, and max margin at least ||mu||", "[max_margin]") {
  for (const auto& [n, d, mu] : std::vector<std::tuple<int64_t, int64_t, double>>{
           {50, 2000, 6.0}, {300, 40, 1.0}, {40, 10, 0.3}}) {
    CAPTURE(n, d, mu);
    at::Generator gen = wei::make_generator(11, "svm-linear-test");
    const LinearProblem p = make_linear_problem(mu, 1.0, d, n, gen);
    const torch::Tensor mu_column = torch::full({n, 1}, mu, torch::TensorOptions().dtype(torch::kDouble));
    const torch::Tensor signed_points = torch::cat({mu_column, p.signed_noise}, 1);  // y_i x_i
    CHECK(torch::allclose(torch::mm(signed_points, signed_points.t()), label_kernel(p), 1e-12, 1e-9));
    mm_check_kkt(signed_points, 1e-10);
    const SvmSolution s = solve_hard_margin_svm(label_kernel(p), 1e-10, 1000000);
    CHECK(s.normalized_margin() >= mu * (1 - 1e-9));  // mu alone separates with margin ||mu||
  }
}

TEST_CASE("hard-margin SVM reports a run that did not converge", "[max_margin]") {
  const torch::Tensor points = mm_separable_signed_points(100, 20, 5);
  const SvmSolution s = solve_hard_margin_svm(torch::mm(points, points.t()), 1e-14, 2);
  CHECK_FALSE(s.converged);
  CHECK(s.sweeps == 2);
}

}  // namespace wei::max_margin
