#include "trainers/self_training/toy_manifolds.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "base/seeding.h"

namespace {

using wei::self_training::Options;
using wei::self_training::ToyManifolds;
using wei::self_training::ToyPoints;

Options::Toy toy(double teacher_error, int64_t arcs) {
  Options::Toy t;
  t.classes = 3;
  t.dim = 8;
  t.separation = 3.0;
  t.teacher_error = teacher_error;
  t.error_arcs = arcs;
  return t;
}

}  // namespace

TEST_CASE("toy manifolds: unit circles, classes separation - 2 apart, a rotation from the seed", "[self_training]") {
  const ToyManifolds m(toy(0.1, 1), 7);
  const ToyPoints grid = m.grid(200);
  const torch::Tensor x = m.embed(grid).to(torch::kDouble);
  REQUIRE(x.sizes() == torch::IntArrayRef({600, 8}));
  // Each class's points are at distance 1 from their mean (the centre) and span a plane.
  for (int64_t k = 0; k < 3; ++k) {
    const torch::Tensor points = x.narrow(0, 200 * k, 200);
    const torch::Tensor centre = points.mean(0);
    CHECK(torch::allclose((points - centre).norm(2, 1), torch::ones({200}, torch::kDouble), 1e-5, 1e-5));
  }
  // Points of different classes are at least separation - 2 = 1 apart.
  const torch::Tensor d = torch::cdist(x.narrow(0, 0, 200), x.narrow(0, 200, 200));
  CHECK(d.min().item<double>() >= 1.0 - 1e-5);
  // Not axis-aligned: the rotation mixes every coordinate; another seed, another rotation.
  CHECK((x.abs().sum(0) > 1e-3).all().item<bool>());
  CHECK_FALSE(torch::allclose(x, ToyManifolds(toy(0.1, 1), 8).embed(grid).to(torch::kDouble)));
}

TEST_CASE("toy teacher: wrong on its arcs only, with the chosen mass in every class", "[self_training]") {
  for (const int64_t arcs : {1, 4}) {
    CAPTURE(arcs);
    const ToyManifolds m(toy(0.15, arcs), 3);
    const ToyPoints grid = m.grid(4000);
    const torch::Tensor teacher = m.teacher_labels(grid);
    const torch::Tensor wrong = teacher.ne(grid.classes);
    for (int64_t k = 0; k < 3; ++k) {
      CHECK(wrong.narrow(0, 4000 * k, 4000).to(torch::kDouble).mean().item<double>() == Approx(0.15).margin(1e-3));
    }
    // Where wrong, it says the next class.
    CHECK(torch::equal(teacher.masked_select(wrong), ((grid.classes + 1) % 3).masked_select(wrong)));
    // The wrong region of a class is `arcs` runs (counted cyclically).
    const torch::Tensor w = wrong.narrow(0, 0, 4000);
    const int64_t starts = (w & w.roll(1).logical_not()).sum().item<int64_t>();
    CHECK(starts == arcs);
  }
}

TEST_CASE("toy expansion: computed from the construction, with Theorem 4.3's bound where c > 3", "[self_training]") {
  const ToyManifolds one(toy(0.1, 1), 0);
  // The worst set of mass 0.1 is one arc: N(V) adds 2 * 0.1 -> c = 3.
  CHECK(one.expansion_constant(0.1) == Approx(3.0));
  CHECK(one.expansion_constant(0.2) == Approx(5.0));
  // When a + 2w reaches the whole circle, c = 1 / (1 - 2w).
  CHECK(one.expansion_constant(0.46) == Approx(1.0 / 0.08));
  CHECK(one.error_set_expansion(0.2) == Approx(5.0));
  // Two arcs of 0.05 with gaps 0.45: each grows by 0.4 -> N(V) = 0.9, ratio 9 (more than c).
  const ToyManifolds two(toy(0.1, 2), 0);
  CHECK(two.error_set_expansion(0.2) == Approx(9.0));
  CHECK(two.error_set_expansion(0.3) == Approx(10.0));  // the gaps close: the whole circle
  // A chord of sqrt(2) subtends a quarter of the circle: the ball reaches 0.25 on either side.
  CHECK(ToyManifolds::l2_half_width(std::sqrt(2.0)) == Approx(0.25));
  CHECK(ToyManifolds::l2_half_width(5.0) == Approx(0.5));
  CHECK_FALSE(one.error_bound(3.0).has_value());
  CHECK_FALSE(one.error_bound(one.expansion_constant(0.1)).has_value());  // 3 up to rounding
  REQUIRE(one.error_bound(5.0).has_value());
  CHECK(*one.error_bound(5.0) == Approx(0.05));  // 2 / 4 * 0.1
}

TEST_CASE("toy points moved along their circle stay on it and in their class", "[self_training]") {
  const ToyManifolds m(toy(0.1, 1), 0);
  auto gen = wei::make_generator(1, "test");
  const ToyPoints p = m.sample(50, gen);
  const ToyPoints q = ToyManifolds::moved(p, torch::full({50}, 0.95, torch::kDouble));
  CHECK(torch::equal(q.classes, p.classes));
  CHECK((q.t >= 0).all().item<bool>());
  CHECK((q.t < 1).all().item<bool>());
  // A move by 0.95 is a move back by 0.05: chord 2 sin(pi * 0.05).
  const double chord = 2 * std::sin(M_PI * 0.05);
  const torch::Tensor moved_by = (m.embed(q) - m.embed(p)).norm(2, 1).to(torch::kDouble);
  CHECK(torch::allclose(moved_by, torch::full({50}, chord, torch::kDouble), 1e-4, 1e-4));
}
