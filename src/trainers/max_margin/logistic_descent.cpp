#include "trainers/max_margin/logistic_descent.h"

#include <algorithm>
#include <cmath>

namespace wei::max_margin {

namespace {

constexpr int64_t kPowerIterations = 300;
constexpr int64_t kStopPollSteps = 2048;

// log(1 + exp(-s)) without overflow.
double logistic_loss_at(double s) { return s > 0 ? std::log1p(std::exp(-s)) : -s + std::log1p(std::exp(s)); }

}  // namespace

double logistic_smoothness(const torch::Tensor& kernel) {
  // Plain loops: a few hundred n x n products of small tensors would each pay a thread-pool hand-off.
  const torch::Tensor kc = kernel.to(torch::kDouble).contiguous();
  const double* k = kc.data_ptr<double>();
  const int64_t n = kc.size(0);
  std::vector<double> v(static_cast<size_t>(n), 1.0 / std::sqrt(static_cast<double>(n))), kv(v.size());
  double lambda = 0;
  for (int64_t it = 0; it < kPowerIterations; ++it) {
    std::fill(kv.begin(), kv.end(), 0.0);
    for (int64_t j = 0; j < n; ++j) {
      const double* row = k + j * n;
      for (int64_t i = 0; i < n; ++i) kv[i] += v[j] * row[i];
    }
    double dot = 0, norm2 = 0;
    for (int64_t i = 0; i < n; ++i) {
      dot += v[i] * kv[i];
      norm2 += kv[i] * kv[i];
    }
    lambda = dot;
    if (!(norm2 > 0)) break;
    const double inv = 1.0 / std::sqrt(norm2);
    for (int64_t i = 0; i < n; ++i) v[i] = kv[i] * inv;
  }
  return lambda / (4.0 * static_cast<double>(n));
}

LogisticDescent::LogisticDescent(const torch::Tensor& kernel, double lr)
    : kernel_(kernel.to(torch::kDouble).contiguous()),
      k_(kernel_.data_ptr<double>()),
      n_(kernel_.size(0)),
      lr_(lr),
      beta_(static_cast<size_t>(n_), 0.0),
      margins_(static_cast<size_t>(n_), 0.0),
      delta_(static_cast<size_t>(n_), 0.0) {}

void LogisticDescent::set_coef(const std::vector<double>& beta) {
  beta_ = beta;
  std::fill(margins_.begin(), margins_.end(), 0.0);
  for (int64_t j = 0; j < n_; ++j) {
    const double* row = k_ + j * n_;
    for (int64_t i = 0; i < n_; ++i) margins_[i] += beta_[j] * row[i];
  }
}

void LogisticDescent::run(int64_t steps, const StopToken& stop) {
  const double scale = lr_ / static_cast<double>(n_);
  for (int64_t step = 0; step < steps; ++step) {
    if (step % kStopPollSteps == kStopPollSteps - 1) stop.throw_if_requested();
    // -dL/dw = (1/n) sum_i sigmoid(-s_i) y_i x_i: beta_i gains lr/n sigmoid(-s_i).
    for (int64_t i = 0; i < n_; ++i) {
      delta_[i] = scale / (1.0 + std::exp(margins_[i]));
      beta_[i] += delta_[i];
    }
    for (int64_t j = 0; j < n_; ++j) {
      const double d = delta_[j];
      const double* row = k_ + j * n_;
      for (int64_t i = 0; i < n_; ++i) margins_[i] += d * row[i];
    }
  }
}

double LogisticDescent::loss() const {
  double sum = 0;
  for (const double s : margins_) sum += logistic_loss_at(s);
  return sum / static_cast<double>(n_);
}

}  // namespace wei::max_margin
