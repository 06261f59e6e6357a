#include "train/option_sections.h"

#include "base/cpu_info.h"

namespace wei {

const NamedValues<ScheduleKind>& schedule_kind_names() {
  static const NamedValues<ScheduleKind> names = {{"fixed", ScheduleKind::kFixed},
                                                  {"multistep", ScheduleKind::kMultistep},
                                                  {"cosine", ScheduleKind::kCosine},
                                                  {"fixmatch_cosine", ScheduleKind::kFixmatchCosine},
                                                  {"linear", ScheduleKind::kLinear}};
  return names;
}

Schedule make_schedule(const ScheduleOptions& options, double lr, int64_t total) {
  Schedule schedule;
  schedule.kind = options.kind;
  schedule.base = lr;
  schedule.milestones = options.milestones;
  schedule.gamma = options.gamma;
  schedule.warmup = options.warmup;
  schedule.total = total;
  return schedule;
}

std::unique_ptr<torch::optim::SGD> make_sgd(torch::nn::Module& module, const SgdOptions& options) {
  const auto sgd = torch::optim::SGDOptions(options.lr)
                       .momentum(options.momentum)
                       .nesterov(options.nesterov)
                       .weight_decay(options.weight_decay);
  if (options.weight_decay_norm_and_bias) return std::make_unique<torch::optim::SGD>(module.parameters(), sgd);
  std::vector<torch::Tensor> weights, norms_and_biases;
  for (const auto& p : module.parameters()) (p.dim() > 1 ? weights : norms_and_biases).push_back(p);
  auto no_decay = std::make_unique<torch::optim::SGDOptions>(sgd);
  no_decay->weight_decay(0);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(weights, std::make_unique<torch::optim::SGDOptions>(sgd));
  groups.emplace_back(norms_and_biases, std::move(no_decay));
  return std::make_unique<torch::optim::SGD>(std::move(groups), sgd);
}

void warn_if_slow_bf16(const ComputeOptions& options, const torch::Device& device, spdlog::logger& log) {
  if (!options.bf16() || !device.is_cpu() || host_cpu().bf16 != Bf16Support::kNone) return;
  log.warn("precision bf16 on a CPU without AVX-512 ({}): LibTorch has no fast bf16 kernels here and runs far "
           "slower than fp32 (15x measured on an AVX2 AMD EPYC); use precision=fp32",
           cpu_summary(host_cpu()));
}

}  // namespace wei
