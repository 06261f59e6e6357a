#include "trainers/large_lr_patch/patch_transform.h"

#include <stdexcept>
#include <string>

#include "base/seeding.h"

namespace wei::large_lr_patch {

int64_t patch_start(int64_t image_size, int64_t patch_size) {
  if (patch_size < 1 || patch_size > image_size) {
    throw std::invalid_argument("patch size " + std::to_string(patch_size) + " does not fit an image of " +
                                std::to_string(image_size));
  }
  // int(image_size / 2 - patch_size / 2) of non-negative reals: the floor.
  return (image_size - patch_size) / 2;
}

PatchPatterns make_patch_patterns(int64_t classes, const PatchSettings& settings, at::Generator& gen) {
  const int64_t s = settings.size;
  PatchPatterns p;
  p.z = torch::randn({3, s, s}, gen, torch::kFloat).mul_(settings.z_scale);
  p.zeta = torch::empty({classes, 3, s, s}, torch::kFloat).uniform_(-settings.class_sep, settings.class_sep, gen);
  return p;
}

torch::Tensor select_patched(int64_t n, double fraction, at::Generator& gen) {
  return torch::rand({n}, gen, torch::kDouble).lt(fraction);
}

PatchDraws draw_patches(int64_t count, const PatchSettings& settings, at::Generator& gen) {
  const torch::Tensor u = torch::rand({count, 3}, gen, torch::kDouble);
  PatchDraws d;
  // The reference: a normal patch when random() > only_prob, the sign -1 when random() > 0.5.
  d.patch_only = u.select(1, 0).le(settings.only_prob);
  const torch::Tensor sign = torch::where(u.select(1, 1).gt(0.5), torch::full({count}, -1.0, torch::kDouble),
                                          torch::full({count}, 1.0, torch::kDouble));
  d.coefficient = torch::where(d.patch_only, sign * settings.only_scale * u.select(1, 2), sign).to(torch::kFloat);
  return d;
}

void apply_patches(torch::Tensor& images, const torch::Tensor& labels, const torch::Tensor& selected,
                   const PatchPatterns& patterns, const PatchDraws& draws) {
  const auto device = images.device();
  const int64_t b = images.size(0), size = patterns.z.size(1);
  const int64_t row = patch_start(images.size(2), size), col = patch_start(images.size(3), size);
  const torch::Tensor chosen = selected.to(device, torch::kBool).view({b, 1, 1, 1});
  const torch::Tensor only = chosen & draws.patch_only.to(device).view({b, 1, 1, 1});
  images.masked_fill_(only, 0);
  const torch::Tensor coefficient = draws.coefficient.to(device, images.scalar_type()).view({b, 1, 1, 1});
  const torch::Tensor patch = patterns.z.to(device, images.scalar_type()).unsqueeze(0) +
                              coefficient * patterns.zeta.to(device, images.scalar_type())
                                                .index_select(0, labels.to(device, torch::kInt64));
  torch::Tensor centre = images.narrow(2, row, size).narrow(3, col, size);
  centre.copy_(torch::where(chosen, patch, centre));
}

PatchEvalSets make_patch_eval_sets(const torch::Tensor& test_images, const torch::Tensor& test_labels,
                                   const PatchPatterns& patterns, const PatchSettings& settings, double fraction,
                                   int64_t patch_only_images, int64_t classes, uint64_t seed) {
  const auto device = test_images.device();
  const int64_t n = test_images.size(0);
  PatchEvalSets sets;
  auto select_gen = make_generator(seed, "patch-select-test");
  sets.patched_selected = select_patched(n, fraction, select_gen).to(device);
  auto draw_gen = make_generator(seed, "patch-test-draws");
  sets.patched_images = test_images.clone();
  apply_patches(sets.patched_images, test_labels, sets.patched_selected, patterns,
                draw_patches(n, settings, draw_gen));

  auto only_gen = make_generator(seed, "patch-only-set");
  sets.patch_only_labels = torch::randint(0, classes, {patch_only_images}, only_gen, torch::kInt64).to(device);
  sets.patch_only_images =
      torch::zeros({patch_only_images, test_images.size(1), test_images.size(2), test_images.size(3)},
                   test_images.options().memory_format(test_images.suggest_memory_format()));
  apply_patches(sets.patch_only_images, sets.patch_only_labels,
                torch::ones({patch_only_images}, torch::TensorOptions(device).dtype(torch::kBool)), patterns,
                draw_patches(patch_only_images, settings, only_gen));
  return sets;
}

}  // namespace wei::large_lr_patch
