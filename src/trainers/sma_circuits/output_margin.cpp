#include "trainers/sma_circuits/output_margin.h"

#include <torch/torch.h>

namespace wei::sma_circuits {

nlohmann::ordered_json normalised_margins(const torch::Tensor& logits, const torch::Tensor& targets,
                                          models::Mlp& network) {
  torch::NoGradGuard no_grad;
  double lipschitz = 1;
  for (const auto& linear : network->layers()) {
    lipschitz *= torch::linalg_svdvals(linear->weight.detach().to(torch::kCPU, torch::kDouble)).max().item<double>();
  }
  const torch::Tensor signs = targets.to(torch::kCPU, torch::kDouble) * 2 - 1;
  const torch::Tensor margins = (logits.detach().to(torch::kCPU, torch::kDouble).reshape({-1}) * signs) / lipschitz;
  const torch::Tensor sorted = std::get<0>(margins.sort());
  const int64_t n = sorted.size(0);
  const auto at = [&](double q) { return sorted[static_cast<int64_t>(q * static_cast<double>(n - 1))].item<double>(); };
  return {{"lipschitz_bound", lipschitz}, {"min", at(0)}, {"p10", at(0.1)}, {"median", at(0.5)}};
}

}  // namespace wei::sma_circuits
