#pragma once
// The tensor data pipeline of the CIFAR trainers: images live on the training device as uint8 NHWC;
// a training batch is one gather (random crop from the padded image + optional horizontal flip) and
// one per-channel normalisation, with no per-image work on the host. Batches come out as float NCHW
// tensors, stored channels-last when asked (the gather produces that layout for free).
#include <array>
#include <vector>

#include <ATen/core/Generator.h>
#include <torch/types.h>

namespace wei::data {

// x -> (x / 255 - mean) / std per channel. The defaults are LDAM-DRW's CIFAR-10 statistics.
struct Normalization {
  std::array<float, 3> mean{0.4914f, 0.4822f, 0.4465f};
  std::array<float, 3> std{0.2023f, 0.1994f, 0.2010f};
};

// The normalisation of a spec's per-channel `mean` and `std` lists (3 values each, R, G, B: the
// spec checks the count; std::invalid_argument otherwise), rounded to float.
Normalization normalization_from(const std::vector<double>& mean, const std::vector<double>& std);

// What the crop sees beyond the image border: zeros (torchvision RandomCrop(padding=p)) or the
// mirrored image without repeating the edge (padding_mode="reflect", numpy/torch "reflect").
enum class PadMode { kZero, kReflect };

struct Augmentation {
  int64_t padding = 4;  // crop offsets are drawn from [0, 2 * padding] on the padded image; 0: no crop
  PadMode pad_mode = PadMode::kZero;
  bool flip = true;     // horizontal flip with probability 1/2
};

class AugmentedImages {
 public:
  // images: uint8 [N, 3, H, W] (any device; copied to `device`). A reflect padding must be smaller
  // than the image (std::invalid_argument otherwise).
  AugmentedImages(const torch::Tensor& images, const Augmentation& augmentation, const Normalization& norm,
                  torch::Device device);

  // Float batch [B, 3, H, W] of images `indices` (int64, any device), crop offsets and flips drawn
  // from `gen` (a CPU generator).
  torch::Tensor batch(const torch::Tensor& indices, at::Generator& gen, bool channels_last) const;
  int64_t size() const { return size_; }

 private:
  torch::Tensor padded_;         // uint8 [N * (H + 2p) * (W + 2p), 3] on device
  torch::Tensor scale_, shift_;  // float [3]: x * scale + shift = (x / 255 - mean) / std
  int64_t size_, height_, width_, padding_;
  bool flip_;
  torch::Device device_;
};

// Every image normalised once (no augmentation), float [N, 3, H, W] on `device`.
torch::Tensor normalize_images(const torch::Tensor& images, const Normalization& norm, torch::Device device,
                               bool channels_last);

// uint8 images [N, C, H, W] padded by `padding` on each side of H and W, with zeros or reflected.
torch::Tensor pad_images(const torch::Tensor& images, int64_t padding, PadMode mode);

}  // namespace wei::data
