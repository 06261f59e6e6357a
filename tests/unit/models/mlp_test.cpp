#include "models/mlp.h"

#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "models/module_parameters.h"

TEST_CASE("an MLP has depth hidden layers of width units and a ReLU between layers", "[models]") {
  wei::models::Mlp net(5, 7, 3, 2);
  REQUIRE(net->layers().size() == 4);
  CHECK(wei::models::parameter_count(*net) == (5 * 7 + 7) + 2 * (7 * 7 + 7) + (7 * 2 + 2));
  const torch::Tensor x = torch::randn({6, 5});
  torch::Tensor h = x;
  for (size_t l = 0; l < 3; ++l) h = torch::clamp_min(torch::addmm(net->layers()[l]->bias, h, net->layers()[l]->weight.t()), 0);
  const torch::Tensor expected = torch::addmm(net->layers()[3]->bias, h, net->layers()[3]->weight.t());
  CHECK(torch::allclose(net->forward(x), expected, 1e-5, 1e-6));
}
