#include "trainers/label_noise_sgd/quadratic_model.h"

#include <catch2/catch.hpp>

using namespace wei::label_noise_sgd;

namespace {
Problem small_problem() {
  Problem p;
  p.dim = 3;
  p.n = 2;
  p.x = {1.0, -2.0, 0.5, 0.3, 1.0, -1.0};
  p.w_star = {1.0, 0.0, 0.0};
  p.y = {1.0, 0.3};
  return p;
}
}  // namespace

TEST_CASE("residuals, loss and parameter error match hand computation", "[label_noise_sgd]") {
  const Problem p = small_problem();
  const std::vector<double> v = {1.0, 2.0, -1.0};  // v*v = (1, 4, 1)
  std::vector<double> r;
  residuals(p, v, r);
  // f(x1) = 1 - 8 + 0.5 = -6.5, r1 = -7.5; f(x2) = 0.3 + 4 - 1 = 3.3, r2 = 3.0
  CHECK(r[0] == Approx(-7.5));
  CHECK(r[1] == Approx(3.0));
  CHECK(train_loss(r) == Approx((0.25 * 56.25 + 0.25 * 9.0) / 2));
  CHECK(parameter_error(p, v) == Approx(0 + 16 + 1));
}

TEST_CASE("the full gradient equals a finite-difference gradient of the loss", "[label_noise_sgd]") {
  const Problem p = small_problem();
  std::vector<double> v = {0.7, -1.2, 0.4};
  std::vector<double> r, grad;
  residuals(p, v, r);
  full_gradient(p, v, r, grad);
  for (int j = 0; j < 3; ++j) {
    const double h = 1e-6;
    std::vector<double> plus = v, minus = v, rp, rm;
    plus[j] += h;
    minus[j] -= h;
    residuals(p, plus, rp);
    residuals(p, minus, rm);
    CHECK(grad[j] == Approx((train_loss(rp) - train_loss(rm)) / (2 * h)).epsilon(1e-6));
  }
}

TEST_CASE("a perturbed label shifts the sample gradient by -delta*xi v.*x_i", "[label_noise_sgd]") {
  // Gradient of 1/4 (f(x_0) - y_0 - e)^2 minus that of 1/4 (f(x_0) - y_0)^2 is -e v.*x_0.
  Problem p = small_problem();
  p.n = 1;
  const std::vector<double> v = {0.7, -1.2, 0.4};
  const double e = 0.3;
  std::vector<double> r, clean, noisy;
  residuals(p, v, r);
  full_gradient(p, v, r, clean);
  p.y[0] += e;
  residuals(p, v, r);
  full_gradient(p, v, r, noisy);
  std::vector<double> shifted = clean;
  add_sample_direction(p, v, 0, -e, shifted);
  for (int j = 0; j < 3; ++j) CHECK(shifted[j] == Approx(noisy[j]));
}
