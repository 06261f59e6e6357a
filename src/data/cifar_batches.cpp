#include "data/cifar_batches.h"

#include <stdexcept>

namespace wei::data {
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

// Source index of each padded position along an axis of `size`: p - 1 .. 1, 0 .. size-1, size-2 ..
torch::Tensor reflected_positions(int64_t size, int64_t padding) {
  auto positions = torch::arange(-padding, size + padding, torch::kInt64);
  positions = positions.abs();                                       // left border: -k -> k
  return torch::where(positions >= size, 2 * (size - 1) - positions, positions);  // right border
}

}  // namespace

Normalization normalization_from(const std::vector<double>& mean, const std::vector<double>& std) {
  if (mean.size() != 3 || std.size() != 3) throw std::invalid_argument("a normalisation needs 3 means and 3 stds");
  Normalization n;
  for (size_t c = 0; c < 3; ++c) {
    n.mean[c] = static_cast<float>(mean[c]);
    n.std[c] = static_cast<float>(std[c]);
  }
  return n;
}

torch::Tensor pad_images(const torch::Tensor& images, int64_t padding, PadMode mode) {
  if (padding == 0) return images;
  if (mode == PadMode::kZero) return torch::constant_pad_nd(images, {padding, padding, padding, padding}, 0);
  const int64_t height = images.size(2), width = images.size(3);
  if (padding >= height || padding >= width) {
    throw std::invalid_argument("reflect padding " + std::to_string(padding) + " needs images larger than that");
  }
  const auto device = images.device();
  return images.index_select(2, reflected_positions(height, padding).to(device))
      .index_select(3, reflected_positions(width, padding).to(device));
}

AugmentedImages::AugmentedImages(const torch::Tensor& images, const Augmentation& augmentation,
                                 const Normalization& norm, torch::Device device)
    : size_(images.size(0)), height_(images.size(2)), width_(images.size(3)), padding_(augmentation.padding),
      flip_(augmentation.flip), device_(device) {
  auto padded = pad_images(images.to(device), padding_, augmentation.pad_mode).permute({0, 2, 3, 1});
  padded_ = padded.contiguous().view({-1, 3});
  std::tie(scale_, shift_) = affine(norm, device);
}

torch::Tensor AugmentedImages::batch(const torch::Tensor& indices, at::Generator& gen, bool channels_last) const {
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

torch::Tensor normalize_images(const torch::Tensor& images, const Normalization& norm, torch::Device device,
                               bool channels_last) {
  auto [scale, shift] = affine(norm, device);
  auto nhwc = images.to(device).permute({0, 2, 3, 1}).to(torch::kFloat).mul_(scale).add_(shift);
  return to_layout(nhwc.contiguous(), channels_last);
}

}  // namespace wei::data
