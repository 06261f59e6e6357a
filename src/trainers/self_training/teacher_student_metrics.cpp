#include "trainers/self_training/teacher_student_metrics.h"

#include <stdexcept>

namespace wei::self_training {

namespace {

double percent(const torch::Tensor& count, int64_t of) {
  return of > 0 ? 100.0 * count.item<double>() / static_cast<double>(of) : 0.0;
}

}  // namespace

nlohmann::ordered_json TeacherComparison::to_json() const {
  return {{"teacher_test_error", teacher_error},
          {"student_test_error", student_error},
          {"teacher_errors_corrected", corrected},
          {"teacher_right_broken", broken}};
}

TeacherComparison compare_to_teacher(const torch::Tensor& teacher, const torch::Tensor& student,
                                     const torch::Tensor& labels) {
  if (teacher.sizes() != labels.sizes() || student.sizes() != labels.sizes()) {
    throw std::invalid_argument("compare_to_teacher: predictions and labels differ in shape");
  }
  const torch::Tensor teacher_right = teacher.eq(labels), student_right = student.eq(labels);
  const int64_t n = labels.numel();
  const int64_t teacher_wrong = n - teacher_right.sum().item<int64_t>();
  TeacherComparison c;
  c.teacher_error = percent(teacher_right.logical_not().sum(), n);
  c.student_error = percent(student_right.logical_not().sum(), n);
  c.corrected = percent((teacher_right.logical_not() & student_right).sum(), teacher_wrong);
  c.broken = percent((teacher_right & student_right.logical_not()).sum(), n - teacher_wrong);
  return c;
}

nlohmann::ordered_json ExpansionEstimate::to_json() const {
  return {{"error_mass", error_mass},
          {"neighbourhood_mass", neighbourhood_mass},
          {"ratio", ratio()},
          {"points", points},
          {"neighbours_per_point", neighbours_per_point}};
}

ExpansionEstimate estimate_expansion(const torch::Tensor& wrong_on_point, const torch::Tensor& wrong_on_neighbour) {
  if (wrong_on_neighbour.dim() != 2 || wrong_on_neighbour.size(0) != wrong_on_point.size(0)) {
    throw std::invalid_argument("estimate_expansion: expected [n] and [n, k] flags");
  }
  ExpansionEstimate e;
  e.points = wrong_on_point.size(0);
  e.neighbours_per_point = wrong_on_neighbour.size(1);
  if (e.points == 0) return e;
  const torch::Tensor in_v = wrong_on_point.to(torch::kBool);
  const torch::Tensor in_nv = in_v | wrong_on_neighbour.to(torch::kBool).any(1);
  e.error_mass = in_v.to(torch::kDouble).mean().item<double>();
  e.neighbourhood_mass = in_nv.to(torch::kDouble).mean().item<double>();
  return e;
}

}  // namespace wei::self_training
