#pragma once
// ResNet-32 for 32x32 inputs (He et al. 2016, section 4.2) as used by LDAM-DRW (Cao et al. 2019):
// 16/32/64 channels, n basic blocks per stage (n = 5 for ResNet-32), parameter-free "option A"
// shortcuts (stride-2 subsampling + zero channel padding), Kaiming-normal init of convolutions and
// the linear head, and optionally a cosine ("normed") classifier whose logits are
// cos(feature, class weight) in [-1, 1] (LDAM scales them by s).
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

namespace wei::models {

struct ResNetCifarOptions {
  int64_t num_classes = 10;
  int64_t blocks_per_stage = 5;  // 5 -> ResNet-32
  bool normed_classifier = false;
};

// Cosine classifier: weight [in, out]; forward(x) = normalize(x, rows) @ normalize(weight, cols).
class NormedLinearImpl : public torch::nn::Module {
 public:
  NormedLinearImpl(int64_t in_features, int64_t out_features);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight;
};
TORCH_MODULE(NormedLinear);

class BasicBlockImpl : public torch::nn::Module {
 public:
  BasicBlockImpl(int64_t in_planes, int64_t planes, int64_t stride);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr};
  int64_t pad_channels_;  // option-A shortcut: channels of zeros added on each side; 0 = identity
};
TORCH_MODULE(BasicBlock);

class ResNetCifarImpl : public torch::nn::Module {
 public:
  explicit ResNetCifarImpl(const ResNetCifarOptions& options);
  torch::Tensor forward(const torch::Tensor& x);
  // The pooled 64-d features, before the classifier.
  torch::Tensor features(const torch::Tensor& x);
  torch::Tensor classify(const torch::Tensor& features);
  const ResNetCifarOptions& options() const { return options_; }

 private:
  ResNetCifarOptions options_;
  torch::nn::Conv2d conv1_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr};
  torch::nn::Sequential layer1_{nullptr}, layer2_{nullptr}, layer3_{nullptr};
  torch::nn::Linear linear_{nullptr};
  NormedLinear normed_{nullptr};
};
TORCH_MODULE(ResNetCifar);

}  // namespace wei::models
