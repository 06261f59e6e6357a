#include "data/synthetic_cifar.h"

#include <torch/nn/functional.h>

#include "base/seeding.h"

namespace wei::data {
namespace {

namespace F = torch::nn::functional;

CifarSplit draw(const torch::Tensor& patterns, const std::vector<int64_t>& counts,
                      at::Generator& gen) {
  std::vector<torch::Tensor> labels;
  for (size_t c = 0; c < counts.size(); ++c) {
    labels.push_back(torch::full({counts[c]}, static_cast<int64_t>(c), torch::kInt64));
  }
  CifarSplit split;
  split.labels = torch::cat(labels);
  const int64_t n = split.labels.size(0);
  auto brightness = torch::randn({n, 1, 1, 1}, gen) * 20.0;
  auto noise = torch::randn({n, 3, 32, 32}, gen) * 48.0;
  auto images = patterns.index_select(0, split.labels) + brightness + noise + 128.0;
  split.images = images.clamp(0, 255).to(torch::kUInt8);
  return split;
}

}  // namespace

SyntheticCifar make_synthetic_cifar(const std::vector<int64_t>& counts, int64_t test_per_class,
                                    uint64_t seed) {
  auto gen = make_generator(seed, "synthetic-cifar");
  const int64_t classes = static_cast<int64_t>(counts.size());
  // 4x4 random colour patterns upsampled to 32x32: structure a convolutional network can use.
  auto coarse = torch::randn({classes, 3, 4, 4}, gen) * 40.0;
  auto patterns = F::interpolate(coarse, F::InterpolateFuncOptions()
                                             .size(std::vector<int64_t>{32, 32})
                                             .mode(torch::kBilinear)
                                             .align_corners(false));
  SyntheticCifar out;
  out.train = draw(patterns, counts, gen);
  out.test = draw(patterns, std::vector<int64_t>(counts.size(), test_per_class), gen);
  return out;
}

}  // namespace wei::data
