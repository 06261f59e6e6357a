#include <catch2/catch.hpp>

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include "models/module_parameters.h"

namespace {

// conv (3 -> 4, 3 x 3, bias) -> BatchNorm(4) -> flatten -> linear (4 * 8 * 8 -> 2).
torch::nn::Sequential small_net() {
  return torch::nn::Sequential(torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 4, 3).padding(1)),
                               torch::nn::BatchNorm2d(4), torch::nn::Flatten(), torch::nn::Linear(4 * 8 * 8, 2));
}

}  // namespace

TEST_CASE("parameter_count counts weights and biases of every submodule, not buffers", "[models]") {
  auto net = small_net();
  // conv 4*3*3*3 + 4, BatchNorm weight and bias 4 + 4 (running statistics are buffers), linear 256*2 + 2.
  CHECK(wei::models::parameter_count(*net) == 108 + 4 + 8 + 512 + 2);
}

TEST_CASE("to_channels_last stores 4-d weights NHWC in place and keeps values and outputs", "[models]") {
  torch::manual_seed(3);
  auto net = small_net();
  net->eval();
  const auto before = net->parameters();
  std::vector<torch::Tensor> values;
  for (const auto& p : before) values.push_back(p.detach().clone());
  const auto x = torch::randn({2, 3, 8, 8});
  torch::NoGradGuard no_grad;
  const auto out = net->forward(x);

  wei::models::to_channels_last(*net);
  const auto after = net->parameters();
  REQUIRE(after.size() == before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    // The same variables (an optimiser built earlier still updates them), the same values.
    CHECK(after[i].unsafeGetTensorImpl() == before[i].unsafeGetTensorImpl());
    CHECK(torch::equal(after[i], values[i]));
    if (after[i].dim() == 4) CHECK(after[i].is_contiguous(torch::MemoryFormat::ChannelsLast));
    if (after[i].dim() != 4) CHECK(after[i].is_contiguous());
  }
  CHECK(after[0].dim() == 4);
  CHECK_FALSE(after[0].is_contiguous());
  CHECK(torch::allclose(net->forward(x.contiguous(torch::MemoryFormat::ChannelsLast)), out, 1e-5, 1e-6));
}
