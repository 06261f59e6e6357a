#pragma once
// The hard-margin SVM without bias, max_w min_i y_i w.x_i / ||w||, solved in its dual
//   max_alpha  sum_i alpha_i - 1/2 alpha^T K alpha,  alpha >= 0,  K_ij = y_i y_j x_i.x_j,
// by cyclic dual coordinate ascent (each coordinate maximised exactly, alpha_i >= 0 kept), with
// w = sum_i alpha_i y_i x_i. The duality gap is measured against the feasible primal point
// w / min_i (y_i w.x_i), so it bounds the distance to the optimum from both sides:
//   dual(alpha) <= 1/2 ||w*||^2 <= primal,  relative_gap = (primal - dual) / primal.
// Needs separable data (the linear setting always is: mu alone separates it).
#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "base/stop_token.h"

namespace wei::max_margin {

struct SvmSolution {
  std::vector<double> alpha;
  std::vector<double> margins;  // (K alpha)_i = y_i w.x_i, recomputed exactly at the end
  double primal = 0;            // 1/2 ||w / min_i margins_i||^2
  double dual = 0;
  double relative_gap = 0;
  int64_t sweeps = 0;
  bool converged = false;

  // The normalised margin of w: min_i margins_i / ||w||, within relative_gap / 2 of the maximum.
  double normalized_margin() const;
  // Points with alpha_i > 0.
  int64_t support_vectors() const;
};

// `kernel`: n x n, symmetric positive semi-definite with a positive diagonal (float64). Stops once
// relative_gap <= tolerance, or after max_sweeps sweeps with converged = false. Polls `stop` every
// sweep.
SvmSolution solve_hard_margin_svm(const torch::Tensor& kernel, double tolerance, int64_t max_sweeps,
                                  const StopToken& stop = {});

}  // namespace wei::max_margin
