#include "data/subsets.h"

#include <string>

#include "base/errors.h"

namespace wei::data {

torch::Tensor select_class_subset(const torch::Tensor& labels, const std::vector<int64_t>& counts,
                                  at::Generator& gen) {
  auto cpu_labels = labels.to(torch::kCPU).to(torch::kInt64);
  std::vector<torch::Tensor> chosen;
  for (size_t c = 0; c < counts.size(); ++c) {
    auto members = (cpu_labels == static_cast<int64_t>(c)).nonzero().view({-1});
    if (members.size(0) < counts[c]) {
      throw InputError("class " + std::to_string(c) + " has " + std::to_string(members.size(0)) +
                       " examples, fewer than the " + std::to_string(counts[c]) + " requested");
    }
    auto order = torch::randperm(members.size(0), gen, torch::kInt64);
    chosen.push_back(members.index_select(0, order.narrow(0, 0, counts[c])));
  }
  return std::get<0>(torch::sort(torch::cat(chosen)));
}

torch::Tensor select_random_subset(int64_t n, int64_t size, at::Generator& gen) {
  if (size > n) {
    throw InputError("a subset of " + std::to_string(size) + " examples was asked of " + std::to_string(n));
  }
  return std::get<0>(torch::sort(torch::randperm(n, gen, torch::kInt64).narrow(0, 0, size)));
}

torch::Tensor corrupt_labels(const torch::Tensor& labels, double probability, int64_t classes, at::Generator& gen) {
  const torch::Tensor chosen = torch::rand({labels.size(0)}, gen, torch::kDouble) < probability;
  const torch::Tensor random = torch::randint(classes, {labels.size(0)}, gen, torch::kInt64);
  return torch::where(chosen, random, labels);
}

CifarSplit take(const CifarSplit& split, const torch::Tensor& indices) {
  CifarSplit out;
  out.images = split.images.index_select(0, indices);
  out.labels = split.labels.index_select(0, indices);
  if (split.coarse_labels.defined()) out.coarse_labels = split.coarse_labels.index_select(0, indices);
  return out;
}

}  // namespace wei::data
