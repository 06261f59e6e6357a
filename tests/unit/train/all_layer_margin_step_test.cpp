#include "train/all_layer_margin_step.h"

#include <catch2/catch.hpp>
#include <torch/autograd.h>
#include <torch/nn/functional/loss.h>
#include <torch/torch.h>

#include "models/mlp.h"

TEST_CASE("AMO on an MLP: one ascent step on the deltas, then the loss with them held fixed", "[train]") {
  torch::manual_seed(2);
  wei::models::Mlp net(6, 8, 2, 1);
  const torch::Tensor x = torch::randn({10, 6});
  const torch::Tensor y = torch::randint(0, 2, {10}, torch::kLong);
  const wei::LossOfLogits logistic = [](const torch::Tensor& logits, const torch::Tensor& labels) {
    return torch::nn::functional::binary_cross_entropy_with_logits(logits, labels.to(torch::kFloat));
  };
  const wei::PerturbedForward forward = [&net](const torch::Tensor& in, std::vector<torch::Tensor>& d, bool create) {
    return net->forward(in, &d, create).reshape({-1});
  };
  wei::AmoSettings settings;
  settings.inner_lr = 0.5;
  const wei::AmoLoss step = wei::amo_loss(*net, forward, logistic, x, y, settings);

  // By hand: the gradient of the loss at zero deltas, one step up it, the loss there.
  std::vector<torch::Tensor> zero = {torch::zeros({10, 8}, torch::requires_grad()),
                                     torch::zeros({10, 8}, torch::requires_grad())};
  const auto grads = torch::autograd::grad({logistic(net->forward(x, &zero, false).reshape({-1}), y)}, zero);
  std::vector<torch::Tensor> found = {(0.5 * grads[0]).detach(), (0.5 * grads[1]).detach()};
  const torch::Tensor expected = logistic(net->forward(x, &found, false).reshape({-1}), y);
  CHECK(step.loss.item<double>() == Approx(expected.item<double>()).epsilon(1e-6));
  REQUIRE(step.deltas.size() == 2);
  CHECK(torch::allclose(step.deltas[1], found[1]));
  CHECK(torch::allclose(step.clean_logits, net->forward(x).reshape({-1})));
  // The ascent made the loss larger, and its gradient reaches the weights.
  CHECK(step.loss.item<double>() > logistic(net->forward(x).reshape({-1}), y).item<double>());
  step.loss.backward();
  CHECK(net->layers()[0]->weight.grad().abs().sum().item<double>() > 0);
}
