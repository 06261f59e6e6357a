#pragma once
// What the linear setting measures of a classifier w = a mu/||mu|| + v (linear_classifier.h), all
// from the Gram matrix of the training noise:
//   test error       P(y w.x <= 0) = Phi(-a ||mu|| / (sigma ||v||)) exactly, since v.xi ~ N(0, sigma^2 ||v||^2)
//                    for a fresh point (v is orthogonal to mu);
//   S' error         Nagarajan & Kolter's S': each training point with its noise negated, label kept,
//                    x'_i = y_i mu - xi_i; the fraction with y_i w.x'_i = a ||mu|| - v.z_i <= 0;
//   train error      the fraction with y_i w.x_i = a ||mu|| + v.z_i <= 0;
//   normalised margin  min_i y_i w.x_i / ||w||.
#include <vector>

#include "trainers/max_margin/linear_classifier.h"
#include "trainers/max_margin/linear_problem.h"

namespace wei::max_margin {

// The standard normal CDF, accurate in both tails.
double normal_cdf(double x);

struct ClassifierMetrics {
  double test_error = 0;
  double s_prime_error = 0;
  double train_error = 0;
  double normalized_margin = 0;
  double cos_mu = 0;  // a / ||w||: the share of w along the signal
};
ClassifierMetrics classifier_metrics(const LinearProblem& problem, const LinearClassifier& w);

}  // namespace wei::max_margin
