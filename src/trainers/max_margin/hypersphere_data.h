#pragma once
// The hypersphere data of the locuslab notebook (Nagarajan & Kolter 2019): a label uniform in
// {0, 1}, the point uniform on the sphere of radius inner_radius (label 0) or outer_radius
// (label 1) in `dim` dimensions; and Nagarajan & Kolter's S' for it: every training point moved to
// the other sphere along its own direction, with the other label.
#include <cstdint>

#include <ATen/core/Generator.h>
#include <torch/types.h>

namespace wei::max_margin {

struct SphereSet {
  torch::Tensor x;       // n x dim, float32
  torch::Tensor labels;  // n, int64: 0 = inner sphere, 1 = outer sphere
};

SphereSet sample_spheres(int64_t n, int64_t dim, double inner_radius, double outer_radius, at::Generator& gen);

SphereSet project_to_other_sphere(const SphereSet& set, double inner_radius, double outer_radius);

}  // namespace wei::max_margin
