#pragma once
// The toy setting of trainer self_training (setting: toy), built so that every assumption of Wei,
// Shen, Chen & Ma (2021) can be set and checked exactly.
//
// Class k lives on a circle of radius 1, x = c_k + cos(2 pi t) u_k + sin(2 pi t) v_k with t uniform
// in [0, 1): the planes (u_k, v_k) are orthogonal, the centres `separation` apart, and the whole
// picture is turned by a random rotation of R^dim drawn from the seed. Points of two classes are at
// least separation - 2 apart. A point's neighbourhood is the arc of its circle within `shift` of it
// (the "augmentation": a move along the circle); an l2 ball of radius r meets the circle in the arc
// of half-width asin(r / 2) / pi, the same kind of neighbourhood.
//
// The teacher is right everywhere except on `error_arcs` equal, evenly spaced arcs of total mass
// `teacher_error` per class (placed at a seeded offset), where it says class k + 1 (mod classes).
//
// Expansion (Definition 3.1, multiplicative, within a class): for every set V of mass at most a,
// P(N(V)) >= min(c P(V), 1). On a circle the set of mass m whose neighbourhood is smallest is a
// single arc, with P(N(V)) = min(1, m + 2 shift); so with a = teacher_error the largest c is
// (a + 2 shift) / a while a + 2 shift < 1 (else 1 / (1 - 2 shift)). Theorem 4.3 then bounds the
// error of the minimiser of the pseudo-label loss plus the consistency regulariser by
// 2 / (c - 1) times the teacher's error, for c > 3 (the ground truth makes no error and does not
// change within a neighbourhood here, so its robustness term is 0).
#include <cstdint>
#include <optional>

#include <torch/types.h>

#include "trainers/self_training/self_training_options.h"

namespace wei::self_training {

struct ToyPoints {
  torch::Tensor classes;  // int64 [n]
  torch::Tensor t;        // double [n], the position on the circle in [0, 1)
};

class ToyManifolds {
 public:
  ToyManifolds(const Options::Toy& toy, uint64_t seed);

  // Float [n, dim] points of `points`.
  torch::Tensor embed(const ToyPoints& points) const;
  // The teacher's labels (int64 [n]) and the true ones.
  torch::Tensor teacher_labels(const ToyPoints& points) const;
  static torch::Tensor true_labels(const ToyPoints& points) { return points.classes; }
  // `n` points, classes and positions uniform, from `gen`.
  ToyPoints sample(int64_t n, at::Generator& gen) const;
  // `per_class` evenly spaced positions of every class: the evaluation grid.
  ToyPoints grid(int64_t per_class) const;
  // The points moved along their circles by `move` (double [n], fractions of the circle).
  static ToyPoints moved(const ToyPoints& points, const torch::Tensor& move);

  // The (teacher_error, c) multiplicative expansion constant of neighbourhoods of half-width
  // `half_width` (a fraction of the circle).
  double expansion_constant(double half_width) const;
  // P(N(V)) / P(V) for V the teacher's actual error set (its arcs dilated and merged).
  double error_set_expansion(double half_width) const;
  // The fraction of the circle an l2 ball of radius r reaches on either side of its centre.
  static double l2_half_width(double radius);
  // Theorem 4.3's bound on the student's error, 2 / (c - 1) * teacher_error, as a fraction; none
  // when c <= 3 (the theorem does not apply).
  std::optional<double> error_bound(double c) const;

 private:
  Options::Toy toy_;
  torch::Tensor centres_, u_, v_;  // double [classes, dim], rotated
  torch::Tensor arc_offsets_;      // double [classes]: where each class's first error arc starts
};

}  // namespace wei::self_training
