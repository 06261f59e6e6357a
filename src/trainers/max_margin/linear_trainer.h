#pragma once
// setting: linear. Five classifiers (no bias) on n training points of the linear setting
// (linear_problem.h), each a row of the history:
//   1 max_margin       the exact hard-margin SVM (dual coordinate ascent to linear.svm_tolerance);
//   2.. logistic       gradient descent on the logistic loss, one row per linear.log_every steps,
//                      with its normalised margin as a fraction of the maximum;
//   near_max_margin    the SVM with signal removed until its normalised margin is (1 - epsilon)
//                      times the maximum;
//   memoriser          sum_i y_i xi_i, pure noise;
//   half_margin        sum_i y_i xi_i - t mu/||mu||, with t set so that its normalised margin is
//                      half the maximum.
// Each row holds the classifier's closed-form test error (and, for its last row, a Monte Carlo
// estimate on linear.mc_points fresh points), its S' error, training error, normalised margin and
// its ratio to the maximum (classifier_metrics.h).
#include <memory>

#include "train/trainer.h"
#include "trainers/max_margin/max_margin_options.h"

namespace wei::max_margin {

std::unique_ptr<Trainer> make_linear_trainer(const RunContext& ctx, const Options& options);

}  // namespace wei::max_margin
