#include "trainers/max_margin/linear_problem.h"

#include <cmath>

namespace wei::max_margin {

LinearProblem make_linear_problem(double mu_norm, double sigma, int64_t dim, int64_t n, at::Generator& gen) {
  const auto f64 = torch::TensorOptions().dtype(torch::kDouble);
  LinearProblem p;
  p.mu_norm = mu_norm;
  p.sigma = sigma;
  p.dim = dim;
  p.n = n;
  p.labels = torch::randint(0, 2, {n}, gen, f64) * 2.0 - 1.0;
  // Standard normals drawn in float32 (LibTorch's vectorised sampler, several times faster than the
  // float64 one at n = 200, d = 20,000), then held and used in float64.
  torch::Tensor noise = torch::randn({n, dim - 1}, gen, torch::TensorOptions().dtype(torch::kFloat)).to(f64);
  p.signed_noise = noise.mul_((p.labels * sigma).unsqueeze(1));
  const torch::Tensor gram = torch::mm(p.signed_noise, p.signed_noise.t());
  p.noise_gram = (gram + gram.t()) * 0.5;  // exactly symmetric: the solvers read rows as columns
  return p;
}

torch::Tensor label_kernel(const LinearProblem& problem) {
  return problem.noise_gram + problem.mu_norm * problem.mu_norm;
}

double signal_to_noise(const LinearProblem& problem) {
  const double m2 = problem.mu_norm * problem.mu_norm;
  const double s2 = problem.sigma * problem.sigma;
  return static_cast<double>(problem.n) * m2 * m2 / (s2 * s2 * static_cast<double>(problem.dim - 1));
}

}  // namespace wei::max_margin
