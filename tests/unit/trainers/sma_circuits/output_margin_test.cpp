#include "trainers/sma_circuits/output_margin.h"

#include <catch2/catch.hpp>
#include <torch/torch.h>

TEST_CASE("normalised margins: the signed logit over the product of the layers' spectral norms",
          "[sma_circuits]") {
  torch::manual_seed(0);
  wei::models::Mlp net(4, 8, 2, 1);
  double product = 1;
  for (const auto& layer : net->layers()) {
    product *= std::get<1>(torch::svd(layer->weight.detach().to(torch::kDouble))).max().item<double>();
  }
  // Logits 2, -1, 4 for labels 1, 1, 0: margins 2, -1, -4.
  const auto m = wei::sma_circuits::normalised_margins(torch::tensor({2.0F, -1.0F, 4.0F}), torch::tensor({1.0F, 1.0F, 0.0F}),
                                                       net);
  CHECK(m["lipschitz_bound"].get<double>() == Approx(product).epsilon(1e-5));
  CHECK(m["min"].get<double>() == Approx(-4.0 / product).epsilon(1e-5));
  CHECK(m["median"].get<double>() == Approx(-1.0 / product).epsilon(1e-5));
}
