#include "trainers/max_margin/hypersphere_data.h"

namespace wei::max_margin {

namespace {
torch::Tensor radius_of(const torch::Tensor& labels, double inner_radius, double outer_radius) {
  return torch::where(labels.eq(0), torch::full({}, inner_radius, torch::kDouble),
                      torch::full({}, outer_radius, torch::kDouble));
}
}  // namespace

SphereSet sample_spheres(int64_t n, int64_t dim, double inner_radius, double outer_radius, at::Generator& gen) {
  const auto f64 = torch::TensorOptions().dtype(torch::kDouble);
  SphereSet set;
  set.labels = torch::randint(0, 2, {n}, gen, torch::TensorOptions().dtype(torch::kInt64));
  const torch::Tensor g = torch::randn({n, dim}, gen, f64);
  const torch::Tensor unit = g / g.norm(2, {1}, /*keepdim=*/true);
  set.x = (unit * radius_of(set.labels, inner_radius, outer_radius).unsqueeze(1)).to(torch::kFloat);
  return set;
}

SphereSet project_to_other_sphere(const SphereSet& set, double inner_radius, double outer_radius) {
  SphereSet out;
  out.labels = 1 - set.labels;
  const torch::Tensor own = radius_of(set.labels, inner_radius, outer_radius);
  const torch::Tensor other = radius_of(out.labels, inner_radius, outer_radius);
  out.x = (set.x.to(torch::kDouble) * (other / own).unsqueeze(1)).to(torch::kFloat);
  return out;
}

}  // namespace wei::max_margin
