#pragma once
// The linear setting of Nagarajan & Kolter (2019) as Glasgow et al. (2023) study it: y uniform in
// {-1, +1}, x = y mu + xi, with mu = ||mu|| e_1 and xi ~ N(0, sigma^2 I) on the other dim - 1
// coordinates. Every classifier of this trainer lives in span{mu, z_1, ..., z_n}, z_i = y_i xi_i
// (linear_classifier.h), so the n x n Gram matrix of the z_i is all the metrics need; the noise
// itself is kept for the Monte Carlo check.
#include <cstdint>

#include <ATen/core/Generator.h>
#include <torch/types.h>

namespace wei::max_margin {

struct LinearProblem {
  double mu_norm = 0;
  double sigma = 0;
  int64_t dim = 0;
  int64_t n = 0;
  torch::Tensor labels;        // n, float64, +-1
  torch::Tensor signed_noise;  // n x (dim - 1), float64: row i is z_i = y_i xi_i
  torch::Tensor noise_gram;    // n x n, float64: z_i . z_j
};

// Draws the n training points from `gen`: labels first, then the noise row by row.
LinearProblem make_linear_problem(double mu_norm, double sigma, int64_t dim, int64_t n, at::Generator& gen);

// K_ij = (y_i x_i) . (y_j x_j) = ||mu||^2 + z_i . z_j, the kernel of the hard-margin SVM dual and of
// logistic regression in dual coordinates.
torch::Tensor label_kernel(const LinearProblem& problem);

// n ||mu||^4 / (sigma^4 (dim - 1)): with nearly orthogonal noise, the max-margin classifier's test
// error is about Phi(-sqrt(this)); it generalises when this is large.
double signal_to_noise(const LinearProblem& problem);

}  // namespace wei::max_margin
