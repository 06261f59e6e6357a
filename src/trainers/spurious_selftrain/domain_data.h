#pragma once
// The four sets of a domain-shift experiment with images, built by colored_mnist.h or
// celeba_domains.h and consumed by image_trainer.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/types.h>

namespace wei::spurious_selftrain {

struct LabelledSet {
  torch::Tensor x;      // float [N, ...]
  torch::Tensor y;      // int64 [N] class labels
  torch::Tensor group;  // int64 [N] index into DomainData::group_names; undefined when no groups
  int64_t size() const { return y.size(0); }
  LabelledSet subset(const torch::Tensor& indices) const;
  LabelledSet to(torch::Device device) const;
};

struct DomainData {
  LabelledSet source_train, source_test;
  LabelledSet target_train;  // its labels are never trained on, only reported against
  LabelledSet target_test;
  int64_t classes = 0;
  std::vector<std::string> group_names;  // empty: no groups
  nlohmann::ordered_json info;           // the metrics.json "data" block
};

}  // namespace wei::spurious_selftrain
