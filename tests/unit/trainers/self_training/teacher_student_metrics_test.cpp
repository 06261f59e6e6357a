#include "trainers/self_training/teacher_student_metrics.h"

#include <catch2/catch.hpp>

using wei::self_training::compare_to_teacher;
using wei::self_training::estimate_expansion;

TEST_CASE("teacher and student compared on labelled points: errors, corrections and breakages",
          "[self_training]") {
  // 8 points; the teacher is wrong on 0, 1, 2, 3 (50%); the student fixes 0 and 1, stays wrong on
  // 2 and 3, and breaks 4 of the teacher's 4 right answers once (point 5).
  const auto labels = torch::tensor({0, 1, 2, 0, 1, 2, 0, 1}, torch::kInt64);
  const auto teacher = torch::tensor({1, 2, 0, 1, 1, 2, 0, 1}, torch::kInt64);
  const auto student = torch::tensor({0, 1, 1, 2, 1, 0, 0, 1}, torch::kInt64);
  const auto c = compare_to_teacher(teacher, student, labels);
  CHECK(c.teacher_error == Approx(50.0));
  CHECK(c.student_error == Approx(37.5));
  CHECK(c.corrected == Approx(50.0));  // 2 of the teacher's 4 errors
  CHECK(c.broken == Approx(25.0));     // 1 of its 4 right answers
  CHECK(c.to_json()["teacher_errors_corrected"] == Approx(50.0));

  // A perfect teacher has no errors to correct: 0, not a division by zero.
  const auto perfect = compare_to_teacher(labels, labels, labels);
  CHECK(perfect.corrected == 0.0);
  CHECK(perfect.broken == 0.0);
  CHECK_THROWS(compare_to_teacher(teacher, student.narrow(0, 0, 4), labels));
}

TEST_CASE("the expansion estimate counts a point in N(V) when it or a drawn neighbour is misclassified",
          "[self_training]") {
  // 10 points: the teacher is wrong on points 0 and 1 (P(V) = 0.2); a neighbour of points 2, 3
  // and 4 is wrong too, and point 1's neighbours all are: P(N(V)) = 0.5, expansion 2.5.
  const auto on_point = torch::tensor({1, 1, 0, 0, 0, 0, 0, 0, 0, 0}, torch::kBool);
  auto on_neighbour = torch::zeros({10, 3}, torch::kBool);
  on_neighbour[1].fill_(true);
  on_neighbour[2][0] = true;
  on_neighbour[3][2] = true;
  on_neighbour[4][1] = true;
  const auto e = estimate_expansion(on_point, on_neighbour);
  CHECK(e.error_mass == Approx(0.2));
  CHECK(e.neighbourhood_mass == Approx(0.5));
  CHECK(e.ratio() == Approx(2.5));
  CHECK(e.points == 10);
  CHECK(e.neighbours_per_point == 3);
  // No error: nothing to expand.
  CHECK(estimate_expansion(torch::zeros({4}, torch::kBool), torch::ones({4, 2}, torch::kBool)).ratio() == 0.0);
  CHECK_THROWS(estimate_expansion(on_point, torch::zeros({9, 3}, torch::kBool)));
}
