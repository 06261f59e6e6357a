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

TEST_CASE("an MLP's perturbed forward adds ||out|| * delta to each hidden layer's Linear output, before the ReLU",
          "[models]") {
  torch::manual_seed(1);
  wei::models::Mlp net(3, 5, 2, 1);
  REQUIRE(net->perturbation_sites() == 2);
  const torch::Tensor x = torch::randn({4, 3});
  std::vector<torch::Tensor> deltas;
  CHECK(torch::allclose(net->forward(x, &deltas, /*create=*/true), net->forward(x)));
  REQUIRE(deltas.size() == 2);
  CHECK(deltas[0].sizes() == torch::IntArrayRef({4, 5}));
  CHECK(deltas[0].requires_grad());
  CHECK(deltas[1].abs().sum().item<double>() == 0);

  deltas = {torch::randn({4, 5}), torch::randn({4, 5})};
  torch::Tensor h = x;
  for (size_t l = 0; l < 2; ++l) {
    const torch::Tensor out = torch::addmm(net->layers()[l]->bias, h, net->layers()[l]->weight.t());
    h = torch::clamp_min(out + out.pow(2).sum(1, true).sqrt() * deltas[l], 0);
  }
  const torch::Tensor expected = torch::addmm(net->layers()[2]->bias, h, net->layers()[2]->weight.t());
  CHECK(torch::allclose(net->forward(x, &deltas, /*create=*/false), expected, 1e-5, 1e-6));
  std::vector<torch::Tensor> one = {deltas[0]};
  CHECK_THROWS_AS(net->forward(x, &one, /*create=*/false), std::invalid_argument);
}
