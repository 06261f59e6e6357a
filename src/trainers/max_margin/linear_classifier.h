#pragma once
// A linear classifier (no bias) of the linear setting, held in the coordinates every classifier of
// this trainer lives in:  w = signal * mu / ||mu|| + sum_i noise_coef_i z_i,  z_i = y_i xi_i.
// (Dual solutions w = sum_i alpha_i y_i x_i = (sum_i alpha_i) mu + sum_i alpha_i z_i fit, and so do
// the memoriser sum_i z_i and the classifiers built from it by moving along mu.)
#include <optional>
#include <vector>

#include "trainers/max_margin/linear_problem.h"

namespace wei::max_margin {

struct LinearClassifier {
  double signal = 0;
  std::vector<double> noise_coef;
};

// The noise part v = sum_i noise_coef_i z_i of w against the training points, from the Gram matrix
// G of the z_i: every v.z_i and ||v||^2.
struct NoiseProducts {
  std::vector<double> per_point;  // v.z_i = (G c)_i
  double squared_norm = 0;        // ||v||^2 = c^T G c
};
NoiseProducts noise_products(const LinearProblem& problem, const LinearClassifier& w);

// w = sum_i dual_i y_i x_i (the SVM's alpha, logistic regression's coefficients).
LinearClassifier from_dual(const LinearProblem& problem, const std::vector<double>& dual);

// The pure noise memoriser sum_i y_i xi_i = sum_i z_i.
LinearClassifier noise_memoriser(const LinearProblem& problem);

// The classifier w - t mu/||mu|| whose normalised margin is exactly `target`, with the largest such
// t (the most signal removed): Glasgow et al.'s large-margin classifier that ignores the signal.
// Every training margin moves by the same -t ||mu||, so the smallest one stays at the same point and
// the normalised margin is (c - t ||mu||) / ||w - t mu/||mu|| || with c = min_i y_i w.x_i.
// nullopt when no t reaches `target`.
struct SignalRemoved {
  LinearClassifier classifier;
  double removed = 0;  // t
};
std::optional<SignalRemoved> remove_signal_to_margin(const LinearProblem& problem, const LinearClassifier& w,
                                                     double target);

// The weight vector of w's noise part, sum_i noise_coef_i z_i (dim - 1 coordinates, float64).
torch::Tensor noise_weights(const LinearProblem& problem, const LinearClassifier& w);

}  // namespace wei::max_margin
