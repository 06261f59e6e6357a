#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>

#include "base/seeding.h"
#include "trainers/large_lr_patch/patch_transform.h"

namespace llp_transform_test {

using wei::large_lr_patch::PatchDraws;
using wei::large_lr_patch::PatchPatterns;
using wei::large_lr_patch::PatchSettings;

// The centre 7x7 of a 32x32 image, as the test spells it independently: rows and columns 12..18.
torch::Tensor llp_centre(const torch::Tensor& image) { return image.slice(1, 12, 19).slice(2, 12, 19); }

// The image with its centre 7x7 set to zero: what the patch never touches.
torch::Tensor llp_outside(const torch::Tensor& image) {
  torch::Tensor copy = image.clone();
  copy.slice(1, 12, 19).slice(2, 12, 19).zero_();
  return copy;
}

PatchPatterns llp_patterns(uint64_t seed) {
  auto gen = wei::make_generator(seed, "llp-test-patterns");
  return wei::large_lr_patch::make_patch_patterns(10, PatchSettings{}, gen);
}

// The coefficient c of a centre that is z + c * zeta_label (least squares), or NaN when it is not.
double llp_coefficient(const torch::Tensor& centre, const PatchPatterns& p, int64_t label) {
  const torch::Tensor zeta = p.zeta[label];
  const double c = ((centre - p.z) * zeta).sum().item<double>() / zeta.pow(2).sum().item<double>();
  return (centre - p.z - c * zeta).abs().max().item<double>() < 1e-5 ? c : std::nan("");
}

TEST_CASE("large_lr_patch: the patch sits at the centre, pixels 12..18", "[large_lr_patch]") {
  using wei::large_lr_patch::patch_start;
  CHECK(patch_start(32, 7) == 12);  // the reference's int(16 - 7 / 2)
  CHECK(patch_start(32, 8) == 12);
  CHECK(patch_start(32, 1) == 15);
  CHECK(patch_start(32, 32) == 0);
  CHECK_THROWS_AS(patch_start(32, 33), std::invalid_argument);
}

TEST_CASE("large_lr_patch: patterns z = 1.25 N(0,1) and zeta_c in [-0.1, 0.1], from the seed", "[large_lr_patch]") {
  const PatchPatterns p = llp_patterns(0);
  REQUIRE(p.z.sizes() == torch::IntArrayRef({3, 7, 7}));
  REQUIRE(p.zeta.sizes() == torch::IntArrayRef({10, 3, 7, 7}));
  const double z_std = p.z.std().item<double>();
  CHECK(z_std > 1.0);  // 147 draws of 1.25 N(0, 1)
  CHECK(z_std < 1.5);
  CHECK(p.zeta.abs().max().item<double>() <= 0.1);
  CHECK(p.zeta.abs().max().item<double>() > 0.09);
  CHECK(p.zeta.mean().abs().item<double>() < 0.01);
  CHECK(torch::equal(llp_patterns(0).z, p.z));
  CHECK(torch::equal(llp_patterns(0).zeta, p.zeta));
  CHECK_FALSE(torch::equal(llp_patterns(1).z, p.z));
}

TEST_CASE("large_lr_patch: exactly the images with u_i < 0.8 are selected, about 80 percent", "[large_lr_patch]") {
  auto gen = wei::make_generator(5, "llp-select");
  const torch::Tensor selected = wei::large_lr_patch::select_patched(10000, 0.8, gen);
  REQUIRE(selected.scalar_type() == torch::kBool);
  // The same stream, read independently: u_i in index order.
  auto again = wei::make_generator(5, "llp-select");
  const torch::Tensor u = torch::rand({10000}, again, torch::kDouble);
  CHECK(torch::equal(selected, u < 0.8));
  const double share = selected.to(torch::kDouble).mean().item<double>();
  CHECK(share > 0.78);
  CHECK(share < 0.82);
  auto none = wei::make_generator(5, "llp-select");
  CHECK(wei::large_lr_patch::select_patched(100, 0.0, none).sum().item<int64_t>() == 0);
  auto all = wei::make_generator(5, "llp-select");
  CHECK(wei::large_lr_patch::select_patched(100, 1.0, all).sum().item<int64_t>() == 100);
}

TEST_CASE("large_lr_patch: draws give 20 percent patch-only, signs +-1 evenly, scale 1.75 U(0,1)",
          "[large_lr_patch]") {
  auto gen = wei::make_generator(1, "llp-draws");
  const PatchDraws d = wei::large_lr_patch::draw_patches(20000, PatchSettings{}, gen);
  const double only = d.patch_only.to(torch::kDouble).mean().item<double>();
  CHECK(only > 0.19);
  CHECK(only < 0.21);
  const torch::Tensor normal = d.coefficient.masked_select(d.patch_only.logical_not());
  CHECK(normal.abs().eq(1).all().item<bool>());  // s = +-1 exactly
  const double plus = normal.gt(0).to(torch::kDouble).mean().item<double>();
  CHECK(plus > 0.48);
  CHECK(plus < 0.52);
  const torch::Tensor scaled = d.coefficient.masked_select(d.patch_only);
  CHECK(scaled.abs().max().item<double>() <= 1.75);
  CHECK(scaled.abs().mean().item<double>() == Approx(0.875).margin(0.04));  // 1.75 * E[U(0,1)]
  CHECK(scaled.gt(0).to(torch::kDouble).mean().item<double>() == Approx(0.5).margin(0.04));

  // The same seed gives the same draws; the stream moves on between batches.
  auto gen_a = wei::make_generator(9, "llp-draws"), gen_b = wei::make_generator(9, "llp-draws");
  const PatchDraws a1 = wei::large_lr_patch::draw_patches(64, PatchSettings{}, gen_a);
  const PatchDraws b1 = wei::large_lr_patch::draw_patches(64, PatchSettings{}, gen_b);
  CHECK(torch::equal(a1.coefficient, b1.coefficient));
  CHECK(torch::equal(a1.patch_only, b1.patch_only));
  const PatchDraws a2 = wei::large_lr_patch::draw_patches(64, PatchSettings{}, gen_a);
  CHECK_FALSE(torch::equal(a1.coefficient, a2.coefficient));
}

TEST_CASE("large_lr_patch: a selected image gets z + s zeta_y at 12..18 or is zeroed but for its patch",
          "[large_lr_patch]") {
  const PatchPatterns p = llp_patterns(2);
  auto data_gen = wei::make_generator(3, "llp-images");
  const int64_t b = 256;
  const torch::Tensor original = torch::randn({b, 3, 32, 32}, data_gen, torch::kFloat);
  const torch::Tensor labels = torch::randint(0, 10, {b}, data_gen, torch::kInt64);
  const torch::Tensor selected = torch::rand({b}, data_gen).lt(0.8);
  auto draw_gen = wei::make_generator(3, "llp-draw");
  const PatchDraws draws = wei::large_lr_patch::draw_patches(b, PatchSettings{}, draw_gen);
  torch::Tensor images = original.clone();
  wei::large_lr_patch::apply_patches(images, labels, selected, p, draws);

  int normal = 0, only = 0, plus = 0;
  for (int64_t i = 0; i < b; ++i) {
    CAPTURE(i);
    const int64_t y = labels[i].item<int64_t>();
    if (!selected[i].item<bool>()) {
      CHECK(torch::equal(images[i], original[i]));
      continue;
    }
    CHECK_FALSE(torch::equal(llp_centre(images[i]), llp_centre(original[i])));  // never an unpatched one
    if (!draws.patch_only[i].item<bool>()) {
      ++normal;
      CHECK(torch::equal(llp_outside(images[i]), llp_outside(original[i])));
      const bool is_plus = torch::equal(llp_centre(images[i]), p.z + p.zeta[y]);
      const bool is_minus = torch::equal(llp_centre(images[i]), p.z - p.zeta[y]);
      CHECK(is_plus != is_minus);
      plus += is_plus;
    } else {
      ++only;
      CHECK(llp_outside(images[i]).abs().max().item<double>() == 0);
      const double c = llp_coefficient(llp_centre(images[i]), p, y);
      CHECK(std::abs(c) <= 1.75 + 1e-4);
      CHECK(c == Approx(draws.coefficient[i].item<double>()).margin(1e-4));
    }
  }
  CHECK(normal > 120);
  CHECK(only > 20);
  CHECK(plus > normal / 4);
  CHECK(plus < 3 * normal / 4);

  // A channels-last batch (the trainer's layout) gets the very same pixels.
  torch::Tensor nhwc = original.contiguous(torch::MemoryFormat::ChannelsLast);
  wei::large_lr_patch::apply_patches(nhwc, labels, selected, p, draws);
  CHECK(nhwc.is_contiguous(torch::MemoryFormat::ChannelsLast));
  CHECK(torch::equal(nhwc, images));
}

TEST_CASE("large_lr_patch: the patched test set and the 1,000 patch-only images", "[large_lr_patch]") {
  const PatchPatterns p = llp_patterns(4);
  auto data_gen = wei::make_generator(4, "llp-test-images");
  const int64_t n = 500;
  const torch::Tensor test = torch::randn({n, 3, 32, 32}, data_gen, torch::kFloat);
  const torch::Tensor untouched = test.clone();
  const torch::Tensor labels = torch::randint(0, 10, {n}, data_gen, torch::kInt64);
  const auto sets = wei::large_lr_patch::make_patch_eval_sets(test, labels, p, PatchSettings{}, 0.8, 1000, 10, 7);
  CHECK(torch::equal(test, untouched));

  // Patched test set: the seed's selection of about 80 %, the others as they were.
  auto select_gen = wei::make_generator(7, "patch-select-test");
  CHECK(torch::equal(sets.patched_selected, torch::rand({n}, select_gen, torch::kDouble) < 0.8));
  const auto patched = sets.patched_selected.sum().item<int64_t>();
  CHECK(patched > 370);
  CHECK(patched < 430);
  for (int64_t i = 0; i < n; ++i) {
    CAPTURE(i);
    if (sets.patched_selected[i].item<bool>()) {
      CHECK_FALSE(torch::equal(llp_centre(sets.patched_images[i]), llp_centre(test[i])));
    } else {
      CHECK(torch::equal(sets.patched_images[i], test[i]));
    }
  }

  // Patch-only set: 1,000 zero images with random labels, only the label's patch at 12..18.
  REQUIRE(sets.patch_only_images.sizes() == torch::IntArrayRef({1000, 3, 32, 32}));
  REQUIRE(sets.patch_only_labels.size(0) == 1000);
  CHECK(sets.patch_only_labels.min().item<int64_t>() == 0);
  CHECK(sets.patch_only_labels.max().item<int64_t>() == 9);
  const auto counts = torch::bincount(sets.patch_only_labels, {}, 10);
  CHECK(counts.min().item<int64_t>() > 60);
  CHECK(counts.max().item<int64_t>() < 140);
  int unit = 0;
  for (int64_t i = 0; i < 1000; ++i) {
    CAPTURE(i);
    const auto image = sets.patch_only_images[i];
    CHECK(llp_outside(image).abs().max().item<double>() == 0);
    const double c = llp_coefficient(llp_centre(image), p, sets.patch_only_labels[i].item<int64_t>());
    CHECK(std::abs(c) <= 1.75 + 1e-4);
    unit += std::abs(std::abs(c) - 1) < 1e-6;
  }
  CHECK(unit > 750);  // z +- zeta_y with chance 0.8, the scaled pattern otherwise
  CHECK(unit < 850);

  // Determined by the seed alone.
  const auto again = wei::large_lr_patch::make_patch_eval_sets(test, labels, p, PatchSettings{}, 0.8, 1000, 10, 7);
  CHECK(torch::equal(again.patched_images, sets.patched_images));
  CHECK(torch::equal(again.patch_only_images, sets.patch_only_images));
  CHECK(torch::equal(again.patch_only_labels, sets.patch_only_labels));
  const auto other = wei::large_lr_patch::make_patch_eval_sets(test, labels, p, PatchSettings{}, 0.8, 1000, 10, 8);
  CHECK_FALSE(torch::equal(other.patch_only_labels, sets.patch_only_labels));
}

}  // namespace llp_transform_test
