#include "trainers/imbalanced_cifar/cifar_batches.h"

namespace wei::imbalanced_cifar {
namespace {

std::pair<torch::Tensor, torch::Tensor> affine(const Normalization& norm, torch::Device device) {
  auto mean = torch::tensor({norm.mean[0], norm.mean[1], norm.mean[2]});
  auto std = torch::tensor({norm.std[0], norm.std[1], norm.std[2]});
  return {(1.0 / (255.0 * std)).to(device), (-mean / std).to(device)};
}

// NHWC float -> NCHW view (channels-last storage) or NCHW contiguous.
torch::Tensor to_layout(const torch::Tensor& nhwc, bool channels_last) {
  auto nchw = nhwc.permute({0, 3, 1, 2});
  return channels_last ? nchw : nchw.contiguous();
}

}  // namespace

AugmentedImages::AugmentedImages(const torch::Tensor& images, int64_t padding, bool flip,
                                 const Normalization& norm, torch::Device device)
    : size_(images.size(0)), height_(images.size(2)), width_(images.size(3)), padding_(padding),
      flip_(flip), device_(device) {
  auto nhwc = images.to(device).permute({0, 2, 3, 1});
  auto padded = torch::constant_pad_nd(nhwc, {0, 0, padding, padding, padding, padding}, 0);
  padded_ = padded.contiguous().view({-1, 3});
  std::tie(scale_, shift_) = affine(norm, device);
}

torch::Tensor AugmentedImages::batch(const torch::Tensor& indices, at::Generator& gen,
                                     bool channels_last) const {
  const int64_t b = indices.size(0);
  const int64_t padded_h = height_ + 2 * padding_, padded_w = width_ + 2 * padding_;
  auto offsets_y = torch::randint(0, 2 * padding_ + 1, {b, 1}, gen, torch::kInt64);
  auto offsets_x = torch::randint(0, 2 * padding_ + 1, {b, 1}, gen, torch::kInt64);
  auto rows = torch::arange(height_, torch::kInt64).unsqueeze(0) + offsets_y;  // [B, H]
  auto cols = torch::arange(width_, torch::kInt64).unsqueeze(0).expand({b, width_});
  if (flip_) {
    auto flipped = torch::randint(0, 2, {b, 1}, gen, torch::kInt64).to(torch::kBool);
    cols = torch::where(flipped, (width_ - 1) - cols, cols);
  }
  cols = cols + offsets_x;  // [B, W]
  auto image = indices.to(torch::kCPU).to(torch::kInt64).view({b, 1, 1});
  auto flat = (image * padded_h + rows.unsqueeze(2)) * padded_w + cols.unsqueeze(1);  // [B, H, W]
  auto pixels = padded_.index_select(0, flat.view({-1}).to(device_)).view({b, height_, width_, 3});
  return to_layout(pixels.to(torch::kFloat).mul_(scale_).add_(shift_), channels_last);
}

torch::Tensor normalize_images(const torch::Tensor& images, const Normalization& norm,
                               torch::Device device, bool channels_last) {
  auto [scale, shift] = affine(norm, device);
  auto nhwc = images.to(device).permute({0, 2, 3, 1}).to(torch::kFloat).mul_(scale).add_(shift);
  return to_layout(nhwc.contiguous(), channels_last);
}

}  // namespace wei::imbalanced_cifar
