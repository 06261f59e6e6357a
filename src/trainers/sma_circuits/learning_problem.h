#pragma once
// What one sma_circuits run learns, whatever the setting: labelled training, validation and test
// examples of a drawn target function, and a network (twice: the one trained and a copy holding the
// weights of the lowest validation error) with its forward pass. Built by circuit_problem.h or
// turing_problem.h; trained by sample_complexity_trainer.h.
#include <cstdint>
#include <functional>
#include <memory>
#include <utility>

#include <nlohmann/json.hpp>
#include <torch/nn/module.h>
#include <torch/types.h>

namespace wei::sma_circuits {

struct LabelledSet {
  torch::Tensor x;  // whatever the network reads, on the run's device
  torch::Tensor y;  // int64 class labels [N], on the run's device
  int64_t size() const { return y.size(0); }
};

struct LearningProblem {
  LabelledSet train, validation, test;
  // Two classes: the network has one logit, trained on the logistic loss (positive: class 1);
  // more: one logit per class, cross-entropy.
  int64_t classes = 2;
  std::shared_ptr<torch::nn::Module> network, best;
  // Logits of a batch: [N] with two classes, [N, classes] otherwise.
  std::function<torch::Tensor(torch::nn::Module& network, const torch::Tensor& x)> forward;
  // The run's "function" block (the target and how it was drawn) and its "data" block's particulars.
  nlohmann::ordered_json function, data;
  // The step's loss and the logits its accuracy is counted on, when the setting regularises (the
  // all-layer margin); unset: training_loss of forward(x).
  std::function<std::pair<torch::Tensor, torch::Tensor>(torch::nn::Module& network, const torch::Tensor& x,
                                                        const torch::Tensor& y)>
      regularised_loss;
  // Setting-specific figures of the kept weights for the final block (the MLP's normalised margin),
  // from their logits on the training part; none by default.
  std::function<nlohmann::ordered_json(const torch::Tensor& train_logits)> final_extras;
};

// The mean loss of logits against labels: logistic with two classes (one logit), cross-entropy
// with more.
torch::Tensor training_loss(const torch::Tensor& logits, const torch::Tensor& y, int64_t classes);

}  // namespace wei::sma_circuits
