#include "data/rand_augment.h"

#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "base/seeding.h"

using wei::data::ImageAugmenter;
using wei::data::ImageView;
using wei::data::RandAugmentOp;
using wei::data::StrongAugment;
using wei::data::StrongAugmentSettings;

namespace {

// uint8 [n, 3, 32, 32] with pixel values that vary across position and channel, none equal to 128.
torch::Tensor pattern_images(int64_t n) {
  auto x = torch::arange(n * 3 * 32 * 32, torch::kInt64).remainder(127).to(torch::kUInt8);
  return x.reshape({n, 3, 32, 32});
}

ImageView view(torch::Tensor& images, int64_t i) {
  return ImageView{images[i].data_ptr<uint8_t>(), 3, 32, 32};
}

}  // namespace

TEST_CASE("RandAugment levels map to the reference's parameters", "[data][augment]") {
  auto images = pattern_images(1);
  const auto original = images.clone();
  // Brightness at level 5: factor 1.8 * 5 / 10 + 0.1 = 1.0, no change.
  wei::data::apply_rand_augment_op(view(images, 0), RandAugmentOp::kBrightness, 5, false, 128);
  CHECK(torch::equal(images, original));
  // Solarize at level 10: threshold 256 - 256 = 0, every value inverted.
  wei::data::apply_rand_augment_op(view(images, 0), RandAugmentOp::kSolarize, 10, false, 128);
  CHECK(torch::equal(images, 255 - original));
  // Posterize at level 5: 4 - int(4 * 5 / 10) = 2 bits.
  images.copy_(original);
  wei::data::apply_rand_augment_op(view(images, 0), RandAugmentOp::kPosterize, 5, false, 128);
  CHECK(torch::equal(images, original.bitwise_and(0xC0)));
  // TranslateX at level 3: 3 pixels; negated, to the other side.
  auto shifted = original.clone();
  wei::data::apply_rand_augment_op(view(shifted, 0), RandAugmentOp::kTranslateX, 3, true, 128);
  CHECK(shifted[0][1][5][3].item<int>() == original[0][1][5][0].item<int>());
  CHECK(shifted[0][1][5][0].item<int>() == 128);
  // Rotate at level 3 is 9 degrees, the same as rotating directly.
  auto rotated = original.clone();
  auto expected = original.clone();
  wei::data::apply_rand_augment_op(view(rotated, 0), RandAugmentOp::kRotate, 3, false, 128);
  wei::data::rotate(view(expected, 0), 9, 128);
  CHECK(torch::equal(rotated, expected));
  CHECK(wei::data::rand_augment_op_names().size() == 14);
}

TEST_CASE("weak augmentation flips half the images and shifts with reflection", "[data][augment]") {
  const ImageAugmenter flip_only(0, StrongAugmentSettings{});
  auto rng = wei::make_std_rng(1, "augment");
  const auto images = pattern_images(400);
  const auto out = flip_only.weak_batch(images, rng);
  int64_t flipped = 0;
  for (int64_t i = 0; i < 400; ++i) {
    const bool same = torch::equal(out[i], images[i]);
    const bool mirrored = torch::equal(out[i], images[i].flip({2}));
    CHECK((same || mirrored));
    flipped += mirrored && !same;
  }
  CHECK(flipped > 160);
  CHECK(flipped < 240);
  CHECK(torch::equal(images, pattern_images(400)));  // the input is not touched

  // A shift by (dx, dy) with reflection: row y of the output is row reflect(y + dy), shifted.
  const ImageAugmenter shift(4, StrongAugmentSettings{});
  auto column = torch::arange(32, torch::kInt64).mul(7).to(torch::kUInt8).view({1, 1, 1, 32}).expand({1, 3, 32, 32});
  auto rng2 = wei::make_std_rng(2, "augment");
  const auto reflect = [](int64_t i) { return i < 0 ? -i : i > 31 ? 62 - i : i; };
  std::set<int64_t> offsets;
  for (int trial = 0; trial < 50; ++trial) {
    const auto moved = shift.weak_batch(column.contiguous(), rng2);
    // Every row is the ramp, mirrored or not, moved by one dx in [-4, 4] with a reflected border.
    int64_t matches = 0;
    for (int64_t dx = -4; dx <= 4; ++dx) {
      for (const bool mirrored : {false, true}) {
        bool all = true;
        for (int64_t y = 0; y < 32 && all; ++y) {
          for (int64_t x = 0; x < 32 && all; ++x) {
            const int64_t source = reflect(x + dx);
            const int64_t expected = 7 * (mirrored ? 31 - source : source);
            all = moved[0][1][y][x].item<int64_t>() == expected;
          }
        }
        if (all) {
          ++matches;
          offsets.insert(mirrored ? 100 + dx : dx);
        }
      }
    }
    CHECK(matches >= 1);
  }
  CHECK(offsets.size() > 4);  // several translations drawn
}

TEST_CASE("strong augmentation draws the reference's policy and ends with Cutout", "[data][augment]") {
  const ImageAugmenter reference(4, StrongAugmentSettings{});
  auto rng = wei::make_std_rng(3, "augment");
  auto images = pattern_images(1);
  std::map<RandAugmentOp, int64_t> ops;
  std::set<int64_t> levels;
  int64_t applied = 0, draws = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    auto image = images.clone();
    const auto drawn = reference.strong(view(image, 0), rng);
    REQUIRE(drawn.size() == 2);
    for (const auto& d : drawn) {
      ++ops[d.op];
      levels.insert(d.level);
      applied += d.applied;
      ++draws;
    }
    // The Cutout square (at least its quarter in a corner) is filled.
    CHECK(image.eq(128).sum().item<int64_t>() >= 3 * 8 * 8);
  }
  CHECK(ops.size() == 14);
  CHECK(*levels.begin() == 1);
  CHECK(*levels.rbegin() == 9);
  CHECK(applied > draws * 45 / 100);
  CHECK(applied < draws * 55 / 100);

  StrongAugmentSettings fixed;
  fixed.kind = StrongAugment::kFixed;
  fixed.magnitude = 10;
  fixed.cutout = 0;
  const ImageAugmenter port(0, fixed);
  for (int trial = 0; trial < 20; ++trial) {
    auto image = images.clone();
    for (const auto& d : port.strong(view(image, 0), rng)) {
      CHECK(d.applied);
      CHECK(d.level == 10);
    }
  }
}

TEST_CASE("augmented batches are reproducible from the seed and differ across seeds", "[data][augment]") {
  const ImageAugmenter augmenter(4, StrongAugmentSettings{});
  const auto images = pattern_images(8);
  auto a = wei::make_std_rng(5, "augment"), b = wei::make_std_rng(5, "augment"), c = wei::make_std_rng(6, "augment");
  const auto first = augmenter.strong_batch(images, a);
  CHECK(torch::equal(first, augmenter.strong_batch(images, b)));
  CHECK_FALSE(torch::equal(first, augmenter.strong_batch(images, c)));
  CHECK(first.sizes() == images.sizes());
  CHECK(first.scalar_type() == torch::kUInt8);

  StrongAugmentSettings bad;
  bad.magnitude = 1;  // the reference draws levels from 1..magnitude-1
  CHECK_THROWS_AS(ImageAugmenter(4, bad), std::invalid_argument);
  CHECK_THROWS_AS(augmenter.weak_batch(images.to(torch::kFloat), a), std::invalid_argument);
}
