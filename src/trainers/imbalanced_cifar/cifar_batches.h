#pragma once
// The tensor data pipeline: images live on the training device as uint8 NHWC; a training batch is
// one gather (random crop from the zero-padded image + optional horizontal flip) and one
// normalisation, with no per-image work on the host. Batches come out as float NCHW tensors,
// stored channels-last when asked (the gather produces that layout for free).
#include <array>

#include <ATen/core/Generator.h>
#include <torch/types.h>

namespace wei::imbalanced_cifar {

struct Normalization {
  std::array<float, 3> mean{0.4914f, 0.4822f, 0.4465f};
  std::array<float, 3> std{0.2023f, 0.1994f, 0.2010f};
};

class AugmentedImages {
 public:
  // images: uint8 [N, 3, H, W] (any device; copied to `device`). padding: crop offsets are drawn
  // from [0, 2 * padding] on the zero-padded image (torchvision RandomCrop(H, padding)).
  AugmentedImages(const torch::Tensor& images, int64_t padding, bool flip,
                  const Normalization& norm, torch::Device device);

  // Float batch [B, 3, H, W] of images `indices` (int64, any device), crop offsets and flips drawn
  // from `gen` (a CPU generator).
  torch::Tensor batch(const torch::Tensor& indices, at::Generator& gen, bool channels_last) const;
  int64_t size() const { return size_; }

 private:
  torch::Tensor padded_;  // uint8 [N * (H + 2p) * (W + 2p), 3] on device
  torch::Tensor scale_, shift_;  // float [3]: x * scale + shift = (x / 255 - mean) / std
  int64_t size_, height_, width_, padding_;
  bool flip_;
  torch::Device device_;
};

// Every image normalised once (no augmentation), float [N, 3, H, W] on `device`.
torch::Tensor normalize_images(const torch::Tensor& images, const Normalization& norm,
                               torch::Device device, bool channels_last);

}  // namespace wei::imbalanced_cifar
