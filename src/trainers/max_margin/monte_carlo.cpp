#include "trainers/max_margin/monte_carlo.h"

#include <algorithm>

namespace wei::max_margin {

namespace {
constexpr int64_t kFullBatchElements = int64_t{1} << 22;  // 32 MiB of float64 noise per batch
constexpr int64_t kSubspaceBatch = int64_t{1} << 16;
}  // namespace

double monte_carlo_test_error(const LinearProblem& problem, const LinearClassifier& w, int64_t points,
                              McSampling sampling, at::Generator& gen, const StopToken& stop) {
  const auto f64 = torch::TensorOptions().dtype(torch::kDouble);
  const torch::Tensor v = noise_weights(problem, w);
  const double v_norm = v.norm().item<double>();
  const double signal_part = w.signal * problem.mu_norm;  // w.(y mu) = y a ||mu||
  const int64_t batch =
      sampling == McSampling::kFull ? std::max<int64_t>(1, kFullBatchElements / (problem.dim - 1)) : kSubspaceBatch;
  int64_t errors = 0;
  for (int64_t start = 0; start < points; start += batch) {
    stop.throw_if_requested();
    const int64_t b = std::min(batch, points - start);
    const torch::Tensor y = torch::randint(0, 2, {b}, gen, f64) * 2.0 - 1.0;
    torch::Tensor noise_part;  // w.xi of each point
    if (sampling == McSampling::kFull) {
      noise_part = torch::mv(torch::randn({b, problem.dim - 1}, gen, f64) * problem.sigma, v);
    } else {
      noise_part = torch::randn({b}, gen, f64) * (problem.sigma * v_norm);
    }
    const torch::Tensor score = y * (y * signal_part + noise_part);  // y w.x
    errors += score.le(0).sum().item<int64_t>();
  }
  return static_cast<double>(errors) / static_cast<double>(points);
}

}  // namespace wei::max_margin
