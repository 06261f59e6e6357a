#pragma once
// The unlabelled-data terms of self-training (Wei, Shen, Chen & Ma 2021) and of the methods it
// explains: hard pseudo-labels above a confidence threshold (pseudo-labelling, and FixMatch with
// the prediction on a weak view labelling a strong view), and the input-consistency regulariser
// over an l2 neighbourhood (VAT, Miyato et al. 2018).
#include <cstdint>
#include <functional>

#include <ATen/core/Generator.h>
#include <torch/types.h>

namespace wei::self_training {

struct PseudoLabelTerm {
  torch::Tensor loss;    // scalar: mean over ALL unlabelled examples of mask * cross-entropy
  torch::Tensor mask;    // float [N]: 1 where the label's confidence is at least the threshold
  torch::Tensor labels;  // int64 [N]: argmax of the labelling prediction
};

// FixMatch's unlabelled loss (Sohn et al. 2020, eq. 2, as the reference computes it): labels and
// confidences from softmax(labelling_logits), without gradient; cross-entropy of
// `student_logits` against them where the confidence is >= `threshold`, averaged over every
// example (kept or not), so the term shrinks as fewer examples pass. Plain pseudo-labelling is the
// same term with the two logits from one view.
PseudoLabelTerm masked_pseudo_label_loss(const torch::Tensor& labelling_logits, const torch::Tensor& student_logits,
                                         double threshold);

// KL(softmax(p) || softmax(q)) of each row, averaged over the rows; p is not differentiated.
torch::Tensor mean_kl_divergence(const torch::Tensor& p_logits, const torch::Tensor& q_logits);

using LogitsOf = std::function<torch::Tensor(const torch::Tensor& inputs)>;

// VAT's adversarial perturbation with one power-iteration step: d ~ N(0, I) from `gen` (drawn on
// the CPU, so CPU and CUDA runs agree), scaled to norm `xi` per example; g = the gradient in d of
// mean_kl_divergence(clean_logits, logits_of(x + d)); returned: `radius` * g / ||g|| per example,
// detached. `logits_of` must be the model in the mode the caller wants (its BatchNorm statistics
// are the caller's business).
torch::Tensor vat_perturbation(const LogitsOf& logits_of, const torch::Tensor& x, const torch::Tensor& clean_logits,
                               double radius, double xi, at::Generator& gen);

// Each row of `t` (flattened past dim 0) scaled to l2 norm 1 (rows of norm 0 stay 0).
torch::Tensor unit_rows(const torch::Tensor& t);

}  // namespace wei::self_training
