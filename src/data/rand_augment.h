#pragma once
// The weak and strong augmentations of FixMatch (Sohn et al. 2020) on uint8 CIFAR batches, in C++
// on the host, one image at a time (data/image_ops.h), drawing from a std::mt19937_64 that a
// checkpoint can save.
//
// Weak: a horizontal flip with probability 1/2 and a translation by up to `padding` pixels in each
// direction, drawn uniformly, the border filled by reflection (the reference's pad-4-reflect and
// random crop; 4 of 32 pixels is 12.5%).
//
// Strong, `kReference` (google-research/fixmatch, RandAugment with Cutout, "rac"): the weak
// augmentation, then `ops` operations drawn with replacement from the 14 below, each applied
// with probability 1/2 at a level drawn uniformly from 1..9, then Cutout of a 16 x 16 square
// centred on a uniformly drawn pixel. Levels map to parameters as the reference does
// (PARAMETER_MAX = 10): Rotate int(30 l / 10) degrees and ShearX/Y 0.3 l / 10 with a random sign;
// TranslateX/Y l pixels with a random sign; Solarize at threshold 256 - int(256 l / 10); Posterize
// to 4 - int(4 l / 10) bits; Color, Contrast, Brightness, Sharpness by a factor 1.8 l / 10 + 0.1;
// AutoContrast, Equalize, Identity without a level. What geometric operations and Cutout leave is
// `fill`: the reference's is mid-gray (its images are in [-1, 1] and both fill with 0).
//
// Strong, `kFixed` (the RandAugment(N, M) of the PyTorch ports): the same operations and mapping,
// every drawn operation applied, at level `magnitude`.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <torch/types.h>

#include "base/named_values.h"
#include "data/image_ops.h"

namespace wei::data {

enum class RandAugmentOp {
  kIdentity, kAutoContrast, kEqualize, kRotate, kSolarize, kColor, kContrast,
  kBrightness, kSharpness, kShearX, kTranslateX, kTranslateY, kPosterize, kShearY,
};
// The reference's names and order: "Identity", "AutoContrast", ... "ShearY".
const NamedValues<RandAugmentOp>& rand_augment_op_names();

enum class StrongAugment { kReference, kFixed };

struct StrongAugmentSettings {
  StrongAugment kind = StrongAugment::kReference;
  int64_t ops = 2;          // operations drawn per image, with replacement
  int64_t magnitude = 10;   // kReference: levels drawn from 1..magnitude-1; kFixed: the level
  int64_t cutout = 16;      // side of the Cutout square; 0: none
  uint8_t fill = 128;       // what geometric operations and Cutout leave
};

// Applies `op` at `level` (0..10); `negate` flips the sign of a signed parameter (rotation, shear,
// translation).
void apply_rand_augment_op(ImageView image, RandAugmentOp op, int64_t level, bool negate, uint8_t fill);

// One drawn operation of a policy, for tests and logs.
struct DrawnOp {
  RandAugmentOp op;
  int64_t level;
  bool applied;
  bool negate;
};

class ImageAugmenter {
 public:
  // std::invalid_argument for a negative padding, ops or cutout, or a magnitude outside [2, 10]
  // (kReference: levels 1..magnitude-1) or [0, 10] (kFixed).
  ImageAugmenter(int64_t padding, StrongAugmentSettings strong);

  // In place; every draw from `rng`.
  void weak(ImageView image, std::mt19937_64& rng) const;
  // In place: weak, then the strong policy and Cutout. Returns the operations drawn.
  std::vector<DrawnOp> strong(ImageView image, std::mt19937_64& rng) const;

  // A copy of `images` (uint8 [N, C, H, W], CPU) with each image augmented weakly, or strongly.
  torch::Tensor weak_batch(const torch::Tensor& images, std::mt19937_64& rng) const;
  torch::Tensor strong_batch(const torch::Tensor& images, std::mt19937_64& rng) const;

 private:
  int64_t padding_;
  StrongAugmentSettings strong_;
};

}  // namespace wei::data
