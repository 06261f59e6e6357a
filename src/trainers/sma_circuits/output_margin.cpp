#include "trainers/sma_circuits/output_margin.h"

#include <cmath>

#include <torch/torch.h>

#include "base/seeding.h"

namespace wei::sma_circuits {

double spectral_norm(const torch::Tensor& weight, uint64_t seed) {
  torch::NoGradGuard no_grad;
  const torch::Tensor w = weight.detach().to(torch::kCPU, torch::kDouble);
  auto gen = make_generator(seed, "power-iteration");
  torch::Tensor v = torch::randn({w.size(1)}, gen, torch::kDouble);
  v /= v.norm();
  double estimate = 0;
  for (int iteration = 0; iteration < 1000; ++iteration) {
    const torch::Tensor u = w.mv(v);
    const double sigma = u.norm().item<double>();
    if (sigma == 0) return 0;
    const torch::Tensor next = w.t().mv(u / sigma);
    v = next / next.norm();
    if (std::abs(sigma - estimate) <= 1e-7 * sigma) return sigma;
    estimate = sigma;
  }
  return estimate;
}

nlohmann::ordered_json normalised_margins(const torch::Tensor& logits, const torch::Tensor& targets,
                                          models::Mlp& network, uint64_t seed) {
  double lipschitz = 1;
  uint64_t layer = 0;
  for (const auto& linear : network->layers()) lipschitz *= spectral_norm(linear->weight, derive_seed(seed, std::to_string(layer++)));
  const torch::Tensor signs = targets.to(torch::kCPU, torch::kDouble) * 2 - 1;
  const torch::Tensor margins = (logits.detach().to(torch::kCPU, torch::kDouble).reshape({-1}) * signs) / lipschitz;
  const torch::Tensor sorted = std::get<0>(margins.sort());
  const int64_t n = sorted.size(0);
  const auto at = [&](double q) { return sorted[static_cast<int64_t>(q * static_cast<double>(n - 1))].item<double>(); };
  return {{"lipschitz_bound", lipschitz}, {"min", at(0)}, {"p10", at(0.1)}, {"median", at(0.5)}};
}

}  // namespace wei::sma_circuits
