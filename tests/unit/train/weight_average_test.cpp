#include "train/weight_average.h"

#include <catch2/catch.hpp>

#include "train/epoch_driver.h"

TEST_CASE("an EMA of the weights as an after-step hook follows the update rule and swaps in for evaluation",
          "[train]") {
  torch::manual_seed(0);
  const torch::Tensor x = torch::randn({16, 5});
  const torch::Tensor y = torch::randint(3, {16}, torch::kInt64);
  torch::nn::Sequential net(torch::nn::Linear(5, 4), torch::nn::BatchNorm1d(4), torch::nn::Linear(4, 3));
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.5));
  const double decay = 0.9;
  wei::WeightAverage ema(*net, decay);
  // The expected average, computed by hand from the module's tensors after each step.
  std::vector<torch::Tensor> expected;
  for (const auto& t : net->parameters()) expected.push_back(t.detach().clone());
  for (const auto& t : net->buffers()) expected.push_back(t.detach().clone());
  wei::DriverOptions options;
  options.after_step = [&](const wei::StepBatch&) {
    ema.update();
    size_t i = 0;
    for (const auto& t : net->parameters()) {
      expected[i] = decay * expected[i] + (1 - decay) * t.detach();
      ++i;
    }
    for (const auto& t : net->buffers()) {
      expected[i] = torch::isFloatingType(t.scalar_type()) ? decay * expected[i] + (1 - decay) * t.detach()
                                                           : t.detach().clone();
      ++i;
    }
  };
  wei::EpochDriver(opt, wei::StopToken(), options)
      .run(wei::EpochPlan::step_range(4, 0, 0), [&](const wei::StepBatch&) {
        return wei::StepLoss{torch::cross_entropy_loss(net->forward(x), y)};
      });
  REQUIRE(ema.averages().size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    CHECK(torch::allclose(ema.averages()[i].to(torch::kDouble), expected[i].to(torch::kDouble), 1e-6, 1e-7));
  }
  // The BatchNorm batch counter is copied, not averaged.
  CHECK(ema.averages().back().item<int64_t>() == 4);

  const torch::Tensor trained = net->parameters()[0].detach().clone();
  {
    const wei::WeightAverage::Swap use(ema);
    CHECK(torch::allclose(net->parameters()[0], expected[0]));
    CHECK_FALSE(torch::equal(net->parameters()[0], trained));
  }
  CHECK(torch::equal(net->parameters()[0].detach(), trained));
}

TEST_CASE("an EMA restarted after its module is re-initialised in place averages from the new weights", "[train]") {
  torch::manual_seed(0);
  torch::nn::Linear net(3, 2);
  wei::WeightAverage ema(*net, 0.5);
  torch::NoGradGuard no_grad;
  net->weight.fill_(1.0);
  ema.update();  // average: (initial + 1) / 2
  CHECK_FALSE(torch::equal(ema.averages()[0], torch::ones({2, 3})));
  net->weight.fill_(3.0);
  ema.restart();
  CHECK(torch::equal(ema.averages()[0], torch::full({2, 3}, 3.0)));
  net->weight.fill_(5.0);
  ema.update();
  CHECK(torch::equal(ema.averages()[0], torch::full({2, 3}, 4.0)));
}
