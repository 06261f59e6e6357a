#include "trainers/label_noise_sgd/quadratic_model.h"

#include <cstddef>

namespace wei::label_noise_sgd {

void residuals(const Problem& p, const std::vector<double>& v, std::vector<double>& r) {
  r.resize(static_cast<size_t>(p.n));
  for (int64_t i = 0; i < p.n; ++i) {
    const double* xi = p.x.data() + i * p.dim;
    double f = 0.0;
    for (int64_t j = 0; j < p.dim; ++j) f += v[j] * v[j] * xi[j];
    r[i] = f - p.y[i];
  }
}

double train_loss(const std::vector<double>& r) {
  double sum = 0.0;
  for (const double ri : r) sum += 0.25 * ri * ri;
  return sum / static_cast<double>(r.size());
}

void full_gradient(const Problem& p, const std::vector<double>& v, const std::vector<double>& r,
                   std::vector<double>& grad) {
  grad.assign(static_cast<size_t>(p.dim), 0.0);
  for (int64_t i = 0; i < p.n; ++i) {
    const double* xi = p.x.data() + i * p.dim;
    const double ri = r[i];
    for (int64_t j = 0; j < p.dim; ++j) grad[j] += ri * xi[j];
  }
  const double inv_n = 1.0 / static_cast<double>(p.n);
  for (int64_t j = 0; j < p.dim; ++j) grad[j] *= v[j] * inv_n;
}

void add_sample_direction(const Problem& p, const std::vector<double>& v, int64_t i, double scale,
                          std::vector<double>& grad) {
  const double* xi = p.x.data() + i * p.dim;
  for (int64_t j = 0; j < p.dim; ++j) grad[j] += scale * v[j] * xi[j];
}

double parameter_error(const Problem& p, const std::vector<double>& v) {
  double sum = 0.0;
  for (int64_t j = 0; j < p.dim; ++j) {
    const double d = v[j] * v[j] - p.w_star[j];
    sum += d * d;
  }
  return sum;
}

}  // namespace wei::label_noise_sgd
