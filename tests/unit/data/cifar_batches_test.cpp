#include <catch2/catch.hpp>

#include "base/seeding.h"
#include "data/cifar_batches.h"

using namespace wei::data;

namespace {

torch::Tensor random_images(int64_t n) {
  auto gen = wei::make_generator(5, "images");
  return torch::randint(0, 256, {n, 3, 32, 32}, gen, torch::kInt64).to(torch::kUInt8);
}

// torchvision's Normalize(mean, std) after ToTensor, on one uint8 CHW image.
torch::Tensor reference_normalize(const torch::Tensor& chw, const Normalization& norm) {
  auto mean = torch::tensor({norm.mean[0], norm.mean[1], norm.mean[2]}).view({3, 1, 1});
  auto std = torch::tensor({norm.std[0], norm.std[1], norm.std[2]}).view({3, 1, 1});
  return (chw.to(torch::kFloat) / 255.0 - mean) / std;
}

}  // namespace

TEST_CASE("without augmentation a batch is the normalised images", "[data]") {
  auto images = random_images(6);
  Normalization norm;
  AugmentedImages source(images, Augmentation{0, PadMode::kZero, false}, norm, torch::kCPU);
  auto gen = wei::make_generator(0, "augment");
  auto idx = torch::tensor({4, 0, 4}, torch::kInt64);
  auto batch = source.batch(idx, gen, false);
  REQUIRE(batch.sizes() == torch::IntArrayRef({3, 3, 32, 32}));
  CHECK(batch.is_contiguous());
  for (int64_t i = 0; i < 3; ++i) {
    CHECK(torch::allclose(batch[i], reference_normalize(images[idx[i].item<int64_t>()], norm), 1e-5, 1e-5));
  }
  auto all = normalize_images(images, norm, torch::kCPU, true);
  CHECK(all.is_contiguous(torch::MemoryFormat::ChannelsLast));
  CHECK(torch::allclose(all[4], batch[0]));
}

TEST_CASE("crop with zero padding and flip match a per-image reference", "[data]") {
  auto images = random_images(16);
  Normalization norm;
  AugmentedImages source(images, Augmentation{4, PadMode::kZero, true}, norm, torch::kCPU);
  auto idx = torch::arange(15, -1, -1, torch::kInt64);
  auto gen = wei::make_generator(3, "augment");
  auto batch = source.batch(idx, gen, true);
  CHECK(batch.is_contiguous(torch::MemoryFormat::ChannelsLast));

  // The same draws, in the documented order: row offsets, column offsets, flips.
  auto replay = wei::make_generator(3, "augment");
  auto oy = torch::randint(0, 9, {16, 1}, replay, torch::kInt64);
  auto ox = torch::randint(0, 9, {16, 1}, replay, torch::kInt64);
  auto flip = torch::randint(0, 2, {16, 1}, replay, torch::kInt64);
  int flips = 0, shifted = 0;
  for (int64_t i = 0; i < 16; ++i) {
    auto padded = torch::constant_pad_nd(images[idx[i].item<int64_t>()], {4, 4, 4, 4}, 0);
    auto crop = padded.narrow(1, oy[i][0].item<int64_t>(), 32).narrow(2, ox[i][0].item<int64_t>(), 32);
    if (flip[i][0].item<int64_t>() == 1) {
      crop = crop.flip({2});
      ++flips;
    }
    if (oy[i][0].item<int64_t>() != 4 || ox[i][0].item<int64_t>() != 4) ++shifted;
    CHECK(torch::allclose(batch[i], reference_normalize(crop, norm), 1e-5, 1e-5));
  }
  // The draws exercise both branches.
  CHECK(flips > 0);
  CHECK(flips < 16);
  CHECK(shifted > 0);
}

TEST_CASE("reflect padding mirrors the image without repeating the edge", "[data]") {
  const auto images = torch::arange(16, torch::kInt64).view({1, 1, 4, 4}).expand({1, 3, 4, 4}).to(torch::kUInt8);
  const auto padded = pad_images(images, 2, PadMode::kReflect);
  REQUIRE(padded.sizes() == torch::IntArrayRef({1, 3, 8, 8}));
  // numpy.pad(mode="reflect") of row 0 (0 1 2 3) by 2: 2 1 0 1 2 3 2 1.
  CHECK(padded[0][0][2].to(torch::kInt64).equal(torch::tensor({2, 1, 0, 1, 2, 3, 2, 1}, torch::kInt64)));
  // Rows reflect too: padded row 0 is image row 2.
  CHECK(padded[0][1][0].to(torch::kInt64).equal(torch::tensor({10, 9, 8, 9, 10, 11, 10, 9}, torch::kInt64)));
  CHECK(padded.slice(2, 2, 6).slice(3, 2, 6).equal(images));
  CHECK(pad_images(images, 1, PadMode::kZero)[0][0][0].sum().item<int64_t>() == 0);
  CHECK_THROWS_AS(pad_images(images, 4, PadMode::kReflect), std::invalid_argument);
}

TEST_CASE("reflect-padded crops and a configurable normalisation", "[data]") {
  auto images = random_images(4);
  Normalization norm{{0.5f, 0.4f, 0.3f}, {0.2f, 0.25f, 0.3f}};
  AugmentedImages source(images, Augmentation{4, PadMode::kReflect, false}, norm, torch::kCPU);
  auto idx = torch::arange(4, torch::kInt64);
  auto gen = wei::make_generator(9, "augment");
  auto batch = source.batch(idx, gen, false);
  auto replay = wei::make_generator(9, "augment");
  auto oy = torch::randint(0, 9, {4, 1}, replay, torch::kInt64);
  auto ox = torch::randint(0, 9, {4, 1}, replay, torch::kInt64);
  for (int64_t i = 0; i < 4; ++i) {
    // torch's reflection padding as the reference (on float: it has no uint8 kernel).
    auto padded = torch::reflection_pad2d(images[i].to(torch::kFloat).unsqueeze(0), {4, 4, 4, 4})[0];
    auto crop = padded.narrow(1, oy[i][0].item<int64_t>(), 32).narrow(2, ox[i][0].item<int64_t>(), 32);
    CHECK(torch::allclose(batch[i], reference_normalize(crop, norm), 1e-5, 1e-5));
  }
}

TEST_CASE("a spec's mean and std lists become a normalisation, three values each", "[data]") {
  const Normalization norm = normalization_from({125.3 / 255, 123.0 / 255, 113.9 / 255}, {0.2, 0.25, 0.3});
  CHECK(norm.mean[0] == static_cast<float>(125.3 / 255));
  CHECK(norm.mean[2] == static_cast<float>(113.9 / 255));
  CHECK(norm.std[1] == 0.25f);
  CHECK(norm.std[2] == 0.3f);
  CHECK_THROWS_AS(normalization_from({0.5, 0.5}, {0.2, 0.2, 0.2}), std::invalid_argument);
  CHECK_THROWS_AS(normalization_from({0.5, 0.5, 0.5}, {0.2, 0.2, 0.2, 0.2}), std::invalid_argument);
}
