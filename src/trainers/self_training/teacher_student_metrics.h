#pragma once
// What the theory of Wei, Shen, Chen & Ma (2021) predicts about a student trained on a teacher's
// pseudo-labels, measured on a labelled evaluation set: how the two compare, and how much the
// teacher's error set expands through the neighbourhoods.
#include <nlohmann/json.hpp>
#include <torch/types.h>

namespace wei::self_training {

struct TeacherComparison {
  double teacher_error = 0;  // percent
  double student_error = 0;
  double corrected = 0;  // percent of the teacher's errors the student gets right (0 when it has none)
  double broken = 0;     // percent of the teacher's right answers the student gets wrong
  nlohmann::ordered_json to_json() const;
};

// From int64 class predictions of teacher and student and the true labels, all [n].
TeacherComparison compare_to_teacher(const torch::Tensor& teacher, const torch::Tensor& student,
                                     const torch::Tensor& labels);

// The expansion of the teacher's error set V = {x : teacher(x) != y(x)} on a sample: with N(x) the
// point and its neighbours, N(V) = {x : some point of N(x) is in V}; the estimate is
// P(N(V)) / P(V) with P(V) the fraction of sample points the teacher gets wrong and P(N(V)) the
// fraction it gets wrong on the point or on at least one of the neighbours drawn (a lower estimate
// of N(V): more draws can only add points).
struct ExpansionEstimate {
  double error_mass = 0;          // P(V)
  double neighbourhood_mass = 0;  // P(N(V))
  int64_t points = 0;
  int64_t neighbours_per_point = 0;
  // P(N(V)) / P(V); 0 when the teacher makes no error on the sample (no set to expand).
  double ratio() const { return error_mass > 0 ? neighbourhood_mass / error_mass : 0.0; }
  nlohmann::ordered_json to_json() const;
};

// `wrong_on_point`: bool [n]; `wrong_on_neighbour`: bool [n, k], the teacher wrong on neighbour j.
ExpansionEstimate estimate_expansion(const torch::Tensor& wrong_on_point, const torch::Tensor& wrong_on_neighbour);

}  // namespace wei::self_training
