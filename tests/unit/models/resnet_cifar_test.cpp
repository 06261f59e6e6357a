#include <catch2/catch.hpp>

#include "models/module_parameters.h"
#include "models/resnet_cifar.h"

using wei::models::parameter_count;

TEST_CASE("ResNet-32 has the reference parameter count", "[imbalanced_cifar][models]") {
  wei::models::ResNetCifar linear(wei::models::ResNetCifarOptions{10, 5, false});
  CHECK(parameter_count(*linear) == 464154);
  // The cosine classifier has no bias: 10 fewer.
  wei::models::ResNetCifar normed(wei::models::ResNetCifarOptions{10, 5, true});
  CHECK(parameter_count(*normed) == 464144);
  wei::models::ResNetCifar c100(wei::models::ResNetCifarOptions{100, 5, false});
  CHECK(parameter_count(*c100) == 464154 + 90 * 65);
}

TEST_CASE("ResNet-32 forward: shapes, cosine range, channels-last agrees", "[imbalanced_cifar][models]") {
  torch::manual_seed(0);
  wei::models::ResNetCifar model(wei::models::ResNetCifarOptions{10, 5, true});
  model->eval();
  torch::NoGradGuard no_grad;
  auto x = torch::randn({4, 3, 32, 32});
  auto out = model->forward(x);
  REQUIRE(out.sizes() == torch::IntArrayRef({4, 10}));
  CHECK(out.abs().max().item<float>() <= 1.0f + 1e-5f);
  CHECK(model->features(x).sizes() == torch::IntArrayRef({4, 64}));

  wei::models::to_channels_last(*model);
  for (const auto& p : model->parameters()) {
    if (p.dim() == 4) CHECK(p.is_contiguous(torch::MemoryFormat::ChannelsLast));
  }
  auto out_cl = model->forward(x.contiguous(torch::MemoryFormat::ChannelsLast));
  CHECK(torch::allclose(out, out_cl, 1e-4, 1e-5));
}

TEST_CASE("option-A shortcut keeps gradients flowing through every stage", "[imbalanced_cifar][models]") {
  torch::manual_seed(1);
  wei::models::ResNetCifar model(wei::models::ResNetCifarOptions{10, 5, false});
  auto loss = model->forward(torch::randn({2, 3, 32, 32})).pow(2).sum();
  loss.backward();
  for (const auto& item : model->named_parameters()) {
    INFO(item.key());
    CHECK(item.value().grad().defined());
  }
}
