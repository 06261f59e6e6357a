#pragma once
// The self-training objectives of Chen, Wei, Kumar, Ma (2020) on raw model outputs.
// Binary forms take the margin z = w.x of a linear classifier with p(y=1|x) = sigmoid(z);
// multi-class forms take logits [N, C]. Every loss is a mean over the rows that take part.
#include <torch/types.h>

namespace wei::spurious_selftrain {

// Mean binary entropy H(sigmoid(z)) = -p log p - (1-p) log(1-p), computed stably from z.
torch::Tensor binary_entropy(const torch::Tensor& margins);
// Mean softmax entropy -sum_k p_k log p_k of each row.
torch::Tensor softmax_entropy(const torch::Tensor& logits);

// Pseudo-labels of a linear classifier: the points with |z| > threshold get the label
// 1[z > 0]. Returns {labels [M] float in {0, 1}, indices [M] of the kept points}.
std::pair<torch::Tensor, torch::Tensor> confident_binary_labels(const torch::Tensor& margins,
                                                                double threshold);
// Mean logistic loss log(1 + exp(-(2y-1) z)) for labels y in {0, 1}.
torch::Tensor logistic_loss(const torch::Tensor& margins, const torch::Tensor& labels);

// Multi-class pseudo-labels: the argmax class of each row whose top softmax probability is at
// least `min_confidence`. Returns {labels [M], indices [M] of the kept rows}.
std::pair<torch::Tensor, torch::Tensor> confident_pseudo_labels(const torch::Tensor& logits,
                                                                double min_confidence);

}  // namespace wei::spurious_selftrain
