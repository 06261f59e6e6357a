#include "trainers/spurious_selftrain/gaussian_toy.h"

#include <cmath>

namespace wei::spurious_selftrain {

GaussianToy::GaussianToy(double signal_norm, double spurious_prob, at::Generator direction_gen)
    : signal_norm_(signal_norm), spurious_prob_(spurious_prob) {
  const torch::Tensor d = torch::randn({kToySignalDims}, direction_gen, torch::kDouble);
  signal_mean_ = (d / d.norm() * signal_norm).to(torch::kFloat);
}

ToyBatch GaussianToy::sample_source(int64_t n, at::Generator& gen) const { return sample(n, true, gen); }
ToyBatch GaussianToy::sample_target(int64_t n, at::Generator& gen) const { return sample(n, false, gen); }

ToyBatch GaussianToy::sample(int64_t n, bool source, at::Generator& gen) const {
  const torch::Tensor y = torch::bernoulli(torch::full({n}, 0.5), gen);
  const torch::Tensor sign = (2 * y - 1).unsqueeze(1);
  const torch::Tensor x1 = torch::randn({n, kToySignalDims}, gen) + sign * signal_mean_.unsqueeze(0);
  torch::Tensor x2 = torch::randn({n, kToySpuriousDims}, gen);
  if (source) {
    const torch::Tensor replace = torch::rand({n, kToySpuriousDims}, gen) < spurious_prob_;
    x2 = torch::where(replace, x2.abs() * sign, x2);
  }
  return {torch::cat({x1, x2}, 1), y};
}

double GaussianToy::target_bayes_accuracy() const { return normal_cdf(signal_norm_); }

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

double linear_accuracy(const torch::Tensor& w, const ToyBatch& batch) {
  torch::NoGradGuard no_grad;
  const torch::Tensor predicted = (batch.x.matmul(w) > 0).to(torch::kFloat);
  return predicted.eq(batch.y).to(torch::kDouble).mean().item<double>();
}

double spurious_norm(const torch::Tensor& w) {
  return w.detach().slice(0, kToySignalDims).norm().item<double>();
}

void project_to_unit_sphere(torch::Tensor& w) {
  torch::NoGradGuard no_grad;
  w.div_(w.norm());
}

}  // namespace wei::spurious_selftrain
