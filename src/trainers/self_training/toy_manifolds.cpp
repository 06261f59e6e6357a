#include "trainers/self_training/toy_manifolds.h"

#include <algorithm>
#include <cmath>

#include "base/seeding.h"

namespace wei::self_training {

namespace {

constexpr double kTwoPi = 2.0 * M_PI;

// t - floor(t): a position back in [0, 1).
torch::Tensor wrap(const torch::Tensor& t) { return t - torch::floor(t); }

}  // namespace

ToyManifolds::ToyManifolds(const Options::Toy& toy, uint64_t seed) : toy_(toy) {
  auto gen = make_generator(seed, "toy-manifolds");
  const auto f64 = torch::TensorOptions().dtype(torch::kDouble);
  // A uniformly random rotation: Q of the QR decomposition of a Gaussian matrix, signs fixed.
  const torch::Tensor gaussian = torch::randn({toy.dim, toy.dim}, gen, f64);
  auto [q, r] = torch::linalg_qr(gaussian);
  const torch::Tensor rotation = q * torch::sign(torch::diagonal(r)).unsqueeze(0);
  const torch::Tensor axes = rotation.t();  // row j: the image of basis vector e_j
  u_ = axes.index({torch::indexing::Slice(0, 2 * toy.classes, 2)});
  v_ = axes.index({torch::indexing::Slice(1, 2 * toy.classes, 2)});
  // Centres on orthogonal directions (u_k itself), pairwise `separation` apart.
  centres_ = u_ * (toy.separation / std::sqrt(2.0));
  arc_offsets_ = torch::rand({toy.classes}, gen, f64);
}

torch::Tensor ToyManifolds::embed(const ToyPoints& points) const {
  const torch::Tensor angle = (points.t * kTwoPi).unsqueeze(1);
  const torch::Tensor& k = points.classes;
  const torch::Tensor x = centres_.index_select(0, k) + torch::cos(angle) * u_.index_select(0, k) +
                          torch::sin(angle) * v_.index_select(0, k);
  return x.to(torch::kFloat);
}

torch::Tensor ToyManifolds::teacher_labels(const ToyPoints& points) const {
  // Arc j of a class covers [offset + j / m, offset + j / m + a / m) (mod 1).
  const double m = static_cast<double>(toy_.error_arcs);
  const torch::Tensor local = wrap(points.t - arc_offsets_.index_select(0, points.classes)) * m;
  const torch::Tensor within = local - torch::floor(local);
  const torch::Tensor wrong = within < toy_.teacher_error;  // each arc is a / m of the circle: (a / m) * m = a
  return torch::where(wrong, (points.classes + 1) % toy_.classes, points.classes);
}

ToyPoints ToyManifolds::sample(int64_t n, at::Generator& gen) const {
  ToyPoints p;
  p.classes = torch::randint(toy_.classes, {n}, gen, torch::kInt64);
  p.t = torch::rand({n}, gen, torch::kDouble);
  return p;
}

ToyPoints ToyManifolds::grid(int64_t per_class) const {
  const torch::Tensor positions = (torch::arange(per_class, torch::kDouble) + 0.5) / static_cast<double>(per_class);
  ToyPoints p;
  p.classes = torch::arange(toy_.classes, torch::kInt64).repeat_interleave(per_class);
  p.t = positions.repeat({toy_.classes});
  return p;
}

ToyPoints ToyManifolds::moved(const ToyPoints& points, const torch::Tensor& move) {
  return {points.classes, wrap(points.t + move)};
}

double ToyManifolds::expansion_constant(double half_width) const {
  const double a = toy_.teacher_error;
  if (a + 2 * half_width < 1.0) return (a + 2 * half_width) / a;
  return 1.0 / std::max(1e-12, 1.0 - 2 * half_width);
}

double ToyManifolds::error_set_expansion(double half_width) const {
  // m evenly spaced arcs of length a / m, gaps (1 - a) / m: each gap shrinks by min(gap, 2 w).
  const double m = static_cast<double>(toy_.error_arcs);
  const double a = toy_.teacher_error;
  const double gap = (1.0 - a) / m;
  return std::min(1.0, a + m * std::min(gap, 2 * half_width)) / a;
}

double ToyManifolds::l2_half_width(double radius) { return std::asin(std::min(radius, 2.0) / 2.0) / M_PI; }

std::optional<double> ToyManifolds::error_bound(double c) const {
  // c is computed in floating point: (0.1 + 2 * 0.1) / 0.1 is 3 and a rounding error, not above 3.
  if (c <= 3.0 + 1e-9) return std::nullopt;
  return 2.0 / (c - 1.0) * toy_.teacher_error;
}

}  // namespace wei::self_training
