#include "train/weight_average.h"

#include <stdexcept>

namespace wei {

WeightAverage::WeightAverage(torch::nn::Module& module, double decay) : decay_(decay) {
  if (!(decay >= 0.0 && decay < 1.0)) throw std::invalid_argument("WeightAverage: decay must be in [0, 1)");
  for (const auto& p : module.parameters()) live_.push_back(p);
  for (const auto& b : module.buffers()) live_.push_back(b);
  torch::NoGradGuard no_grad;
  for (const auto& t : live_) averages_.push_back(t.detach().clone());
}

void WeightAverage::update() {
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < live_.size(); ++i) {
    if (torch::isFloatingType(live_[i].scalar_type())) {
      averages_[i].mul_(decay_).add_(live_[i].detach(), 1.0 - decay_);
    } else {
      averages_[i].copy_(live_[i]);
    }
  }
}

void WeightAverage::restart() {
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < live_.size(); ++i) averages_[i].copy_(live_[i]);
}

void WeightAverage::register_state(CheckpointBundle& bundle, const std::string& key) {
  for (size_t i = 0; i < averages_.size(); ++i) bundle.add_tensor(key + "." + std::to_string(i), averages_[i]);
}

void WeightAverage::exchange() {
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < live_.size(); ++i) {
    const torch::Tensor held = live_[i].detach().clone();
    live_[i].detach().copy_(averages_[i]);
    averages_[i].copy_(held);
  }
}

WeightAverage::Swap::Swap(WeightAverage& average) : average_(average) { average_.exchange(); }
WeightAverage::Swap::~Swap() { average_.exchange(); }

}  // namespace wei
