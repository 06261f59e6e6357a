#include "trainers/max_margin/hard_margin_svm.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace wei::max_margin {

namespace {

// margins = K alpha, from scratch (coordinate updates accumulate rounding).
void kernel_times(const double* k, int64_t n, const std::vector<double>& alpha, std::vector<double>& margins) {
  std::fill(margins.begin(), margins.end(), 0.0);
  for (int64_t j = 0; j < n; ++j) {
    const double a = alpha[j];
    if (a == 0.0) continue;
    const double* row = k + j * n;
    for (int64_t i = 0; i < n; ++i) margins[i] += a * row[i];
  }
}

struct GapMeasure {
  double primal, dual, relative_gap;
};

GapMeasure measure_gap(const std::vector<double>& alpha, const std::vector<double>& margins) {
  double sum_alpha = 0, quad = 0, min_margin = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < alpha.size(); ++i) {
    sum_alpha += alpha[i];
    quad += alpha[i] * margins[i];
    min_margin = std::min(min_margin, margins[i]);
  }
  const double dual = sum_alpha - 0.5 * quad;
  if (!(min_margin > 0) || !(quad > 0)) {
    return {std::numeric_limits<double>::infinity(), dual, std::numeric_limits<double>::infinity()};
  }
  const double primal = 0.5 * quad / (min_margin * min_margin);
  return {primal, dual, (primal - dual) / primal};
}

constexpr int64_t kExactEvery = 64;  // sweeps between exact recomputations of K alpha

}  // namespace

double SvmSolution::normalized_margin() const {
  double quad = 0, min_margin = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < alpha.size(); ++i) {
    quad += alpha[i] * margins[i];
    min_margin = std::min(min_margin, margins[i]);
  }
  return quad > 0 ? min_margin / std::sqrt(quad) : 0.0;
}

int64_t SvmSolution::support_vectors() const {
  return std::count_if(alpha.begin(), alpha.end(), [](double a) { return a > 0; });
}

SvmSolution solve_hard_margin_svm(const torch::Tensor& kernel, double tolerance, int64_t max_sweeps,
                                  const StopToken& stop) {
  const torch::Tensor kc = kernel.to(torch::kDouble).contiguous();
  const int64_t n = kc.size(0);
  const double* k = kc.data_ptr<double>();
  SvmSolution s;
  s.alpha.assign(static_cast<size_t>(n), 0.0);
  s.margins.assign(static_cast<size_t>(n), 0.0);
  for (s.sweeps = 1; s.sweeps <= max_sweeps; ++s.sweeps) {
    stop.throw_if_requested();
    for (int64_t i = 0; i < n; ++i) {
      const double* row = k + i * n;
      const double updated = std::max(0.0, s.alpha[i] + (1.0 - s.margins[i]) / row[i]);
      const double delta = updated - s.alpha[i];
      if (delta == 0.0) continue;
      s.alpha[i] = updated;
      for (int64_t j = 0; j < n; ++j) s.margins[j] += delta * row[j];
    }
    if (s.sweeps % kExactEvery == 0) kernel_times(k, n, s.alpha, s.margins);
    GapMeasure gap = measure_gap(s.alpha, s.margins);
    if (gap.relative_gap <= tolerance) {
      kernel_times(k, n, s.alpha, s.margins);  // confirm on exact margins
      gap = measure_gap(s.alpha, s.margins);
      if (gap.relative_gap <= tolerance) {
        s.converged = true;
        break;
      }
    }
  }
  s.sweeps = std::min(s.sweeps, max_sweeps);
  kernel_times(k, n, s.alpha, s.margins);
  const GapMeasure gap = measure_gap(s.alpha, s.margins);
  s.primal = gap.primal;
  s.dual = gap.dual;
  s.relative_gap = gap.relative_gap;
  return s;
}

}  // namespace wei::max_margin
