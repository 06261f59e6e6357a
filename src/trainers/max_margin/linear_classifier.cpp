#include "trainers/max_margin/linear_classifier.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace wei::max_margin {

NoiseProducts noise_products(const LinearProblem& problem, const LinearClassifier& w) {
  const int64_t n = problem.n;
  const torch::Tensor gram = problem.noise_gram.contiguous();
  const double* g = gram.data_ptr<double>();
  NoiseProducts out;
  out.per_point.assign(static_cast<size_t>(n), 0.0);
  for (int64_t j = 0; j < n; ++j) {
    const double c = w.noise_coef[j];
    if (c == 0.0) continue;
    const double* row = g + j * n;
    for (int64_t i = 0; i < n; ++i) out.per_point[i] += c * row[i];
  }
  for (int64_t i = 0; i < n; ++i) out.squared_norm += w.noise_coef[i] * out.per_point[i];
  out.squared_norm = std::max(0.0, out.squared_norm);
  return out;
}

LinearClassifier from_dual(const LinearProblem& problem, const std::vector<double>& dual) {
  LinearClassifier w;
  w.signal = problem.mu_norm * std::accumulate(dual.begin(), dual.end(), 0.0);
  w.noise_coef = dual;
  return w;
}

LinearClassifier noise_memoriser(const LinearProblem& problem) {
  LinearClassifier w;
  w.noise_coef.assign(static_cast<size_t>(problem.n), 1.0);
  return w;
}

std::optional<SignalRemoved> remove_signal_to_margin(const LinearProblem& problem, const LinearClassifier& w,
                                                     double target) {
  // With s = signal - t the new signal weight: margin(s) = (r + s m) / sqrt(s^2 + q), where
  // r = min_i (G c)_i is the noise part of the smallest training margin and q = c^T G c.
  const NoiseProducts np = noise_products(problem, w);
  const double m = problem.mu_norm;
  const double r = *std::min_element(np.per_point.begin(), np.per_point.end());
  const double q = np.squared_norm;
  const double g = target;
  // (r + s m)^2 = g^2 (s^2 + q):  (m^2 - g^2) s^2 + 2 r m s + (r^2 - g^2 q) = 0, keeping r + s m >= 0.
  const double qa = m * m - g * g, qb = 2 * r * m, qc = r * r - g * g * q;
  std::vector<double> roots;
  if (std::abs(qa) <= 1e-14 * (m * m + g * g)) {
    if (qb != 0) roots.push_back(-qc / qb);
  } else {
    const double disc = qb * qb - 4 * qa * qc;
    if (disc >= 0) {
      const double half = -0.5 * (qb + (qb >= 0 ? std::sqrt(disc) : -std::sqrt(disc)));
      roots.push_back(half / qa);  // the stable pair of roots: half / qa and qc / half
      if (half != 0) roots.push_back(qc / half);
    }
  }
  std::optional<SignalRemoved> best;
  for (const double s : roots) {
    if (!std::isfinite(s) || r + s * m < -1e-12 * (std::abs(r) + std::abs(s * m))) continue;
    if (!best || s < best->classifier.signal) {
      SignalRemoved found;
      found.classifier = w;
      found.classifier.signal = s;
      found.removed = w.signal - s;
      best = found;
    }
  }
  return best;
}

torch::Tensor noise_weights(const LinearProblem& problem, const LinearClassifier& w) {
  const torch::Tensor c = torch::tensor(w.noise_coef, torch::TensorOptions().dtype(torch::kDouble));
  return torch::mv(problem.signed_noise.t(), c);
}

}  // namespace wei::max_margin
