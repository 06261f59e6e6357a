#pragma once
// The quadratically parameterised linear model f_v(x) = <v*v, x> on a fixed training set, with the
// per-sample loss of the paper, l_i(v) = 1/4 (f_v(x_i) - y_i)^2, and its gradients. Plain double
// loops: at d = 100, n = 40 a step is ~8k multiply-adds, far below the cost of dispatching tensor ops.
#include <cstdint>
#include <vector>

namespace wei::label_noise_sgd {

struct Problem {
  int64_t dim = 0;
  int64_t n = 0;
  std::vector<double> x;       // n x dim, row-major
  std::vector<double> y;       // n
  std::vector<double> w_star;  // dim
};

// Residuals r_i = f_v(x_i) - y_i for every sample.
void residuals(const Problem& p, const std::vector<double>& v, std::vector<double>& r);
// Training loss L(v) = (1/n) sum_i 1/4 r_i^2.
double train_loss(const std::vector<double>& r);
// Full-batch gradient of L: (1/n) sum_i r_i v .* x_i, written to `grad`.
void full_gradient(const Problem& p, const std::vector<double>& v, const std::vector<double>& r,
                   std::vector<double>& grad);
// grad += scale * v .* x_i: the gradient of sample i's loss has scale r_i; a label perturbed by
// delta*xi changes that gradient by -delta*xi v .* x_i.
void add_sample_direction(const Problem& p, const std::vector<double>& v, int64_t i, double scale,
                          std::vector<double>& grad);
// ||v*v - w*||^2, the paper's test error.
double parameter_error(const Problem& p, const std::vector<double>& v);

}  // namespace wei::label_noise_sgd
