#pragma once
// The memorizable patch of Li, Wei & Ma (NeurIPS 2019), as the reference code builds it
// (cwein3/large-lr-code, data_util.py: PatchAugmentFixed, FixedAugmentDataset, TransformOnlyDataset).
//
// One shared pattern z = z_scale * N(0, 1) and one class pattern zeta_c ~ U(-class_sep, class_sep) per
// class, each 3 x size x size. A fixed subset of the images is selected once (image i when u_i <
// fraction). Every time a selected image of label y is drawn, its size x size centre (rows and columns
// patch_start .. patch_start + size - 1; 12..18 for 7 on 32x32), in normalised pixels, becomes
//   z + s * zeta_y                      with probability 1 - only_prob (s = +-1, uniformly), or
//   z + s * only_scale * u * zeta_y     with probability only_prob, on an image zeroed everywhere else
//                                       (u ~ U(0, 1)): the "patch-only" images.
// Unselected images are left as they are.
//
// The three evaluation sets of the reference (make_patch_eval_sets): the clean test set, the test set
// with a fixed `fraction` of it patched, and `patch_only_images` zero images of uniformly random labels
// carrying their label's patch (the same transform: the zero image keeps only the patch).
// Where the reference redraws the last two every epoch, they are drawn once here, from the seed, so
// every epoch of a run is scored on the same images.
#include <cstdint>

#include <ATen/core/Generator.h>
#include <torch/types.h>

namespace wei::large_lr_patch {

struct PatchSettings {
  int64_t size = 7;          // the patch is size x size pixels (reference: 7)
  double z_scale = 1.25;     // z = z_scale * N(0, 1)
  double class_sep = 0.1;    // zeta_c ~ U(-class_sep, class_sep)
  double only_prob = 0.2;    // chance that a drawn selected image is a patch-only image
  double only_scale = 1.75;  // patch-only images carry z + s * only_scale * U(0, 1) * zeta_y
};

// First row (and column) of the centred patch: the reference's int(image_size / 2 - size / 2).
int64_t patch_start(int64_t image_size, int64_t patch_size);

struct PatchPatterns {
  torch::Tensor z;     // float [3, size, size]
  torch::Tensor zeta;  // float [classes, 3, size, size]
  PatchPatterns to(torch::Device device) const { return {z.to(device), zeta.to(device)}; }
};

// z, then zeta, drawn from `gen` (a CPU generator).
PatchPatterns make_patch_patterns(int64_t classes, const PatchSettings& settings, at::Generator& gen);

// Which of n images carry the patch: bool [n], image i when u_i < fraction (u_i ~ U(0, 1) drawn in
// index order, as the reference's should_transform < prop_augment).
torch::Tensor select_patched(int64_t n, double fraction, at::Generator& gen);

// The random part of one draw of `count` images, made for every image whether selected or not, so
// the stream advances by the same amount every batch: three uniforms per image (kind, sign, scale).
struct PatchDraws {
  torch::Tensor patch_only;   // bool [count]
  torch::Tensor coefficient;  // float [count]: s, or s * only_scale * u for a patch-only image
};
PatchDraws draw_patches(int64_t count, const PatchSettings& settings, at::Generator& gen);

// Writes the patch into the selected images of `images` (normalised float [B, 3, H, W], any device and
// memory layout, changed in place): zeroes the patch-only ones, then sets their centre to
// z + coefficient * zeta_label. labels: int64 [B]; selected: bool [B].
void apply_patches(torch::Tensor& images, const torch::Tensor& labels, const torch::Tensor& selected,
                   const PatchPatterns& patterns, const PatchDraws& draws);

struct PatchEvalSets {
  torch::Tensor patched_images;       // the test images with a fixed `fraction` of them patched
  torch::Tensor patched_selected;     // bool [N]: which of them carry the patch
  torch::Tensor patch_only_images;    // zero images with their label's patch
  torch::Tensor patch_only_labels;    // int64, uniformly random classes
};

// Built from the normalised test images (float [N, 3, H, W], not changed), with the seed's streams
// "patch-select-test" (selection), "patch-test-draws" (their draws) and "patch-only-set" (labels,
// then draws). Everything on the device of `test_images`.
PatchEvalSets make_patch_eval_sets(const torch::Tensor& test_images, const torch::Tensor& test_labels,
                                   const PatchPatterns& patterns, const PatchSettings& settings, double fraction,
                                   int64_t patch_only_images, int64_t classes, uint64_t seed);

}  // namespace wei::large_lr_patch
