#include "train/learning_rate.h"

#include <catch2/catch.hpp>

#include <torch/optim.h>

TEST_CASE("set_lr reaches every parameter group of any optimizer", "[train]") {
  auto a = torch::zeros({2}, torch::requires_grad());
  auto b = torch::zeros({2}, torch::requires_grad());
  torch::optim::SGD sgd({torch::optim::OptimizerParamGroup({a}), torch::optim::OptimizerParamGroup({b})},
                        torch::optim::SGDOptions(0.1));
  torch::optim::Adam adam({a}, torch::optim::AdamOptions(1e-3));
  torch::optim::AdamW adamw({a}, torch::optim::AdamWOptions(1e-3));
  torch::optim::RMSprop rmsprop({a}, torch::optim::RMSpropOptions(1e-2));
  torch::optim::Adagrad adagrad({a}, torch::optim::AdagradOptions(1e-2));
  for (torch::optim::Optimizer* optimizer : std::vector<torch::optim::Optimizer*>{&sgd, &adam, &adamw, &rmsprop, &adagrad}) {
    wei::set_lr(*optimizer, 0.25);
    for (auto& group : optimizer->param_groups()) CHECK(group.options().get_lr() == 0.25);
    CHECK(wei::current_lr(*optimizer) == 0.25);
  }
  CHECK(static_cast<torch::optim::SGDOptions&>(sgd.param_groups()[1].options()).lr() == 0.25);
}
