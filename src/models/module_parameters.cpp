#include "models/module_parameters.h"

#include <torch/utils.h>

namespace wei::models {

int64_t parameter_count(const torch::nn::Module& module) {
  int64_t n = 0;
  for (const auto& p : module.parameters()) n += p.numel();
  return n;
}

void copy_weights(const torch::nn::Module& from, torch::nn::Module& into) {
  torch::NoGradGuard no_grad;
  const auto parameters = from.parameters();
  auto into_parameters = into.parameters();
  for (size_t i = 0; i < parameters.size(); ++i) into_parameters[i].copy_(parameters[i]);
  const auto buffers = from.buffers();
  auto into_buffers = into.buffers();
  for (size_t i = 0; i < buffers.size(); ++i) into_buffers[i].copy_(buffers[i]);
}

void to_channels_last(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (auto& p : module.parameters()) {
    if (p.dim() == 4) p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
  }
}

}  // namespace wei::models
