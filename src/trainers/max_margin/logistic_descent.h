#pragma once
// Logistic regression without bias by full-batch gradient descent from w = 0, on the mean loss
// (1/n) sum_i log(1 + exp(-y_i w.x_i)). Every gradient is a combination of the y_i x_i, so the
// iterates stay w = sum_i beta_i y_i x_i and the descent runs on beta with the kernel
// K_ij = y_i y_j x_i.x_j: a step costs n^2 whatever the dimension, and equals the step on w exactly.
// On separable data the direction of w converges (slowly, as 1/log t) to the max-margin one.
#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "base/stop_token.h"

namespace wei::max_margin {

// lambda_max(K) / (4 n), the smoothness constant of the mean logistic loss (power iteration).
double logistic_smoothness(const torch::Tensor& kernel);

class LogisticDescent {
 public:
  // `kernel` n x n float64; `lr` the step size on w.
  LogisticDescent(const torch::Tensor& kernel, double lr);

  // `steps` more steps; polls `stop` every few thousand.
  void run(int64_t steps, const StopToken& stop = {});
  // The mean logistic loss at the current iterate.
  double loss() const;
  const std::vector<double>& coef() const { return beta_; }
  // Continue from saved coefficients (margins recomputed exactly).
  void set_coef(const std::vector<double>& beta);

 private:
  torch::Tensor kernel_;
  const double* k_;
  int64_t n_;
  double lr_;
  std::vector<double> beta_;
  std::vector<double> margins_;  // (K beta)_i = y_i w.x_i
  std::vector<double> delta_;
};

}  // namespace wei::max_margin
