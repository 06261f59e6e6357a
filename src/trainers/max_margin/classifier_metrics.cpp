#include "trainers/max_margin/classifier_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace wei::max_margin {

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

ClassifierMetrics classifier_metrics(const LinearProblem& problem, const LinearClassifier& w) {
  const NoiseProducts np = noise_products(problem, w);
  const double signal_margin = w.signal * problem.mu_norm;
  const double n = static_cast<double>(problem.n);
  ClassifierMetrics m;
  double min_margin = std::numeric_limits<double>::infinity();
  int64_t train_errors = 0, s_prime_errors = 0;
  for (const double vz : np.per_point) {
    const double margin = signal_margin + vz;
    min_margin = std::min(min_margin, margin);
    train_errors += margin <= 0;
    s_prime_errors += signal_margin - vz <= 0;
  }
  m.train_error = static_cast<double>(train_errors) / n;
  m.s_prime_error = static_cast<double>(s_prime_errors) / n;
  const double noise_norm = std::sqrt(np.squared_norm);
  const double norm = std::sqrt(w.signal * w.signal + np.squared_norm);
  if (noise_norm > 0) {
    m.test_error = normal_cdf(-signal_margin / (problem.sigma * noise_norm));
  } else {
    m.test_error = signal_margin > 0 ? 0.0 : 1.0;  // w.x = a ||mu|| y for every point
  }
  m.normalized_margin = norm > 0 ? min_margin / norm : 0.0;
  m.cos_mu = norm > 0 ? w.signal / norm : 0.0;
  return m;
}

}  // namespace wei::max_margin
