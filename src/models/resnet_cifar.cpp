#include "models/resnet_cifar.h"

#include <torch/nn/functional.h>

namespace wei::models {
namespace {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}

}  // namespace

NormedLinearImpl::NormedLinearImpl(int64_t in_features, int64_t out_features) {
  // Reference init: uniform(-1, 1), then every column rescaled to unit norm.
  weight = register_parameter(
      "weight", torch::empty({in_features, out_features}).uniform_(-1, 1).renorm_(2, 1, 1e-5).mul_(1e5));
}

torch::Tensor NormedLinearImpl::forward(const torch::Tensor& x) {
  return F::normalize(x, F::NormalizeFuncOptions().dim(1))
      .mm(F::normalize(weight, F::NormalizeFuncOptions().dim(0)));
}

BasicBlockImpl::BasicBlockImpl(int64_t in_planes, int64_t planes, int64_t stride)
    : pad_channels_(stride != 1 || in_planes != planes ? planes / 4 : 0) {
  conv1_ = register_module("conv1", conv3x3(in_planes, planes, stride));
  bn1_ = register_module("bn1", nn::BatchNorm2d(planes));
  conv2_ = register_module("conv2", conv3x3(planes, planes, 1));
  bn2_ = register_module("bn2", nn::BatchNorm2d(planes));
}

torch::Tensor BasicBlockImpl::forward(const torch::Tensor& x) {
  auto out = torch::relu(bn1_->forward(conv1_->forward(x)));
  out = bn2_->forward(conv2_->forward(out));
  if (pad_channels_ == 0) return torch::relu(out + x);
  using torch::indexing::Slice;
  auto shortcut = x.index({Slice(), Slice(), Slice(torch::indexing::None, torch::indexing::None, 2),
                           Slice(torch::indexing::None, torch::indexing::None, 2)});
  shortcut = torch::constant_pad_nd(shortcut, {0, 0, 0, 0, pad_channels_, pad_channels_}, 0);
  return torch::relu(out + shortcut);
}

ResNetCifarImpl::ResNetCifarImpl(const ResNetCifarOptions& options) : options_(options) {
  conv1_ = register_module("conv1", conv3x3(3, 16, 1));
  bn1_ = register_module("bn1", nn::BatchNorm2d(16));
  int64_t in_planes = 16;
  auto make_stage = [&](int64_t planes, int64_t stride) {
    nn::Sequential stage;
    for (int64_t b = 0; b < options_.blocks_per_stage; ++b) {
      stage->push_back(BasicBlock(in_planes, planes, b == 0 ? stride : 1));
      in_planes = planes;
    }
    return stage;
  };
  layer1_ = register_module("layer1", make_stage(16, 1));
  layer2_ = register_module("layer2", make_stage(32, 2));
  layer3_ = register_module("layer3", make_stage(64, 2));
  if (options_.normed_classifier) {
    normed_ = register_module("linear", NormedLinear(64, options_.num_classes));
  } else {
    linear_ = register_module("linear", nn::Linear(64, options_.num_classes));
    nn::init::kaiming_normal_(linear_->weight);
  }
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* conv = module->as<nn::Conv2d>()) nn::init::kaiming_normal_(conv->weight);
  }
}

torch::Tensor ResNetCifarImpl::features(const torch::Tensor& x) {
  auto out = torch::relu(bn1_->forward(conv1_->forward(x)));
  out = layer3_->forward(layer2_->forward(layer1_->forward(out)));
  return out.mean({2, 3});
}

torch::Tensor ResNetCifarImpl::classify(const torch::Tensor& features) {
  return options_.normed_classifier ? normed_->forward(features) : linear_->forward(features);
}

torch::Tensor ResNetCifarImpl::forward(const torch::Tensor& x) { return classify(features(x)); }

}  // namespace wei::models
