#pragma once
// Pre-activation Wide ResNet-depth-k for 32x32 inputs (Zagoruyko & Komodakis 2016), as the
// all-layer-margin and large-learning-rate reference codes build it: depth = 6n + 4, three stages of
// n basic blocks with 16k, 32k and 64k channels (stride 2 into stages 2 and 3), each block
// BN-ReLU-conv3x3-BN-ReLU-conv3x3 plus a shortcut, then BN-ReLU, global average pooling and a linear
// classifier. Convolutions are He-normal initialised, BatchNorm 1/0, the linear bias 0.
//
// Three variants of the references (WideResNetVariant):
//   kAllLayerMargin (cwein3/all-layer-margin-opt models/wideresnet.py): a BN-ReLU after the stem
//     convolution, and a 1x1 shortcut convolution in the first block of every stage;
//     WRN-28-10 on 10 classes has 36,479,226 parameters.
//   kStandard (cwein3/large-lr-code, and most WRN code): no stem BN, a 1x1 shortcut convolution
//     only where the channel count changes; WRN-28-10 on 10 classes has 36,479,194 parameters.
//   kFixMatch (google-research/fixmatch libml/models.py): the layers of kStandard (WRN-28-2 on 10
//     classes: 1,467,610 parameters), the shortcut convolution reading the block's raw input
//     except in the first stage ("activate_before_residual"), the classifier's weight
//     Xavier-normal; with relu_slope 0.1 and bn_momentum 0.001 it is the paper's network.
// In kAllLayerMargin and kStandard the shortcut convolution reads the block's pre-activated input;
// an identity shortcut always reads its raw input.
//
// Hooks of the two trainers, through WideResNetPerturbation:
//   all-layer margin: a perturbation delta at each of the 2n*3 perturbation sites, after every
//     residual block's conv1 (before its second BN) and conv2 (before the residual add):
//     out -> out + ||out_b||_2 * delta_b, the norm taken per example over the whole conv output and
//     not detached. The stem, the shortcut convolutions and the classifier get none.
//   activation noise: a tensor added after every BatchNorm, before its ReLU.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

namespace wei::models {

enum class WideResNetVariant { kAllLayerMargin, kStandard, kFixMatch };

struct WideResNetOptions {
  int64_t depth = 28;  // 6n + 4
  int64_t widen = 10;  // k
  int64_t num_classes = 10;
  WideResNetVariant variant = WideResNetVariant::kAllLayerMargin;
  double relu_slope = 0.0;   // negative slope of the (leaky) ReLUs; 0: ReLU
  double bn_momentum = 0.1;  // BatchNorm's running-statistics momentum (torch's convention)
};

struct WideResNetPerturbation {
  // One tensor per perturbation site, in forward order (block by block: conv1 then conv2), shaped
  // like the conv output. With create_deltas, forward() fills it with zeros that require grad.
  std::vector<torch::Tensor> deltas;
  bool create_deltas = false;
  // Returns what to add to a BatchNorm output before its ReLU (e.g. noise of shape [1, 1, H, W]).
  std::function<torch::Tensor(const torch::Tensor& bn_output)> after_bn;
};

class WideBlockImpl : public torch::nn::Module {
 public:
  // `shortcut_reads_activated`: the shortcut convolution (if any) reads the pre-activated input.
  WideBlockImpl(int64_t in_planes, int64_t out_planes, int64_t stride, bool shortcut_conv,
                bool shortcut_reads_activated, const WideResNetOptions& options);
  // `next_site` indexes p->deltas; it advances by two.
  torch::Tensor forward(const torch::Tensor& x, WideResNetPerturbation* p, size_t& next_site);

 private:
  torch::nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr};
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr}, shortcut_{nullptr};
  bool shortcut_reads_activated_;
  double relu_slope_;
};
TORCH_MODULE(WideBlock);

class WideResNetImpl : public torch::nn::Module {
 public:
  // std::invalid_argument for a depth that is not 6n + 4 (n >= 1) or a width < 1.
  explicit WideResNetImpl(const WideResNetOptions& options);
  torch::Tensor forward(const torch::Tensor& x) { return forward(x, nullptr); }
  torch::Tensor forward(const torch::Tensor& x, WideResNetPerturbation* perturbation);
  // 2 per residual block.
  int64_t perturbation_sites() const { return 2 * static_cast<int64_t>(blocks_.size()); }
  const WideResNetOptions& options() const { return options_; }

 private:
  WideResNetOptions options_;
  torch::nn::Conv2d conv1_{nullptr};
  torch::nn::BatchNorm2d stem_bn_{nullptr};  // kAllLayerMargin only
  std::vector<WideBlock> blocks_;
  torch::nn::BatchNorm2d bn_{nullptr};
  torch::nn::Linear fc_{nullptr};
};
TORCH_MODULE(WideResNet);

// The block count per stage of a depth: (depth - 4) / 6; 0 when depth is not 6n + 4 with n >= 1.
int64_t wide_resnet_blocks_per_stage(int64_t depth);
// "" for a depth of 6n + 4 with n >= 1, else what is wrong with it (a spec key's check).
std::string wide_resnet_depth_problem(int64_t depth);
// The parameter count of the network `options` builds, computed without building it (memory
// estimates of specs that may be too large to build).
double wide_resnet_parameters(const WideResNetOptions& options);
// Bytes of the float activations one 32x32 training image keeps for backward, about six maps of
// each block's size: the "activations" part of a trainer's memory estimate.
double wide_resnet_activation_bytes(int64_t depth, int64_t widen);
// "WRN-<depth>-<widen>", the name metrics and logs give the model.
std::string wide_resnet_name(int64_t depth, int64_t widen);

}  // namespace wei::models
