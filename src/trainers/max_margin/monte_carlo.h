#pragma once
// The test error of a linear classifier measured on fresh draws (y, x = y mu + xi) of the linear
// setting, to check the closed form of classifier_metrics.h. The prediction is computed from w's
// explicit weight vector (dim - 1 noise weights, not the Gram matrix the closed form uses).
//   full:     every coordinate of xi drawn, y w.x summed over all of them (cost points x dim);
//   subspace: only xi's component along w's noise weights v is drawn, sigma * g * v/||v|| with
//             g ~ N(0, 1): the rest of xi is orthogonal to w and changes no prediction, so the error
//             has the same distribution as in full, at a cost independent of dim.
#include <cstdint>

#include <ATen/core/Generator.h>

#include "base/stop_token.h"
#include "trainers/max_margin/linear_classifier.h"
#include "trainers/max_margin/linear_problem.h"
#include "trainers/max_margin/max_margin_options.h"

namespace wei::max_margin {

// The fraction of `points` fresh points with y w.x <= 0.
double monte_carlo_test_error(const LinearProblem& problem, const LinearClassifier& w, int64_t points,
                              McSampling sampling, at::Generator& gen, const StopToken& stop = {});

}  // namespace wei::max_margin
