#include "trainers/self_training/toy_self_training.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "support/trainer_fixture.h"
#include "trainers/self_training/self_training_trainer.h"

namespace {

using Overrides = std::map<std::string, wei::ParamValue>;

// Three classes in R^8, a teacher wrong on one arc of 10% per class, neighbourhoods of +-0.2 (c = 5,
// bound 5%), 1,200 steps of 128 points, SGD with a cosine.
Overrides toy_spec(Overrides more = {}) {
  Overrides o{{"setting", std::string("toy")},  {"method", std::string("teacher_student")},
              {"toy.classes", int64_t{3}},      {"toy.dim", int64_t{8}},
              {"toy.teacher_error", 0.1},       {"toy.shift", 0.2},
              {"toy.train_size", int64_t{2048}}, {"toy.test_points", int64_t{600}},
              {"toy.hidden", int64_t{64}},      {"optim.steps", int64_t{1200}},
              {"optim.batch_size", int64_t{128}}, {"optim.eval_every", int64_t{400}},
              {"optim.lr", 0.1},                {"optim.weight_decay", 0.0001},
              {"optim.schedule", std::string("cosine")}, {"optim.ema", 0.0}};
  for (auto& [k, v] : more) o[k] = v;
  return o;
}

wei::testing::TrainerFixture toy_fixture(const Overrides& overrides, uint64_t seed = 0) {
  return wei::testing::TrainerFixture(wei::self_training_trainer_info(), overrides, seed);
}

}  // namespace

TEST_CASE("toy: without consistency the student copies its teacher, with it it corrects it within the bound",
          "[self_training]") {
  const auto none = toy_fixture(toy_spec({{"consistency.neighbourhood", std::string("none")}}));
  auto copier = none.trainer();
  copier->prepare();
  CHECK(copier->data_info()["source"] == "toy");
  const auto copied = wei::testing::fit_to_end(*copier).final;
  CHECK(copied["theory"]["expansion_c"].get<double>() == Approx(5.0));
  CHECK(copied["theory"]["error_bound"].get<double>() == Approx(5.0));
  CHECK(copied["teacher_student"]["teacher_test_error"].get<double>() == Approx(10.0).margin(0.2));
  // Fitting the teacher's labels reproduces its errors.
  CHECK(copied["test_error"].get<double>() > 8.0);
  CHECK(copied["teacher_student"]["teacher_errors_corrected"].get<double>() < 15.0);

  const auto augment = toy_fixture(toy_spec({{"consistency.neighbourhood", std::string("augment")}}));
  auto student = augment.trainer();
  student->prepare();
  const auto corrected = wei::testing::fit_to_end(*student).final;
  CHECK(corrected["test_error"].get<double>() <= corrected["theory"]["error_bound"].get<double>());
  CHECK(corrected["within_bound"] == true);
  CHECK(corrected["teacher_student"]["teacher_errors_corrected"].get<double>() > 50.0);
  CHECK(corrected["teacher_student"]["teacher_right_broken"].get<double>() < 2.0);
}

TEST_CASE("toy: c below 3 gives no bound, the l2 neighbourhood's c follows its radius", "[self_training]") {
  const Overrides short_run = {{"optim.steps", int64_t{10}}, {"optim.eval_every", int64_t{10}}};
  Overrides narrow = short_run;
  narrow["toy.shift"] = 0.05;
  auto small = toy_fixture(toy_spec(narrow));
  auto t = small.trainer();
  t->prepare();
  const auto final = wei::testing::fit_to_end(*t).final;
  CHECK(final["theory"]["expansion_c"].get<double>() == Approx(2.0));
  CHECK(final["theory"]["bound_applies"] == false);
  CHECK_FALSE(final["theory"].contains("error_bound"));
  CHECK_FALSE(final.contains("within_bound"));

  Overrides ball = short_run;
  ball["consistency.neighbourhood"] = std::string("l2");
  ball["consistency.radius"] = 1.0;
  auto l2 = toy_fixture(toy_spec(ball));
  auto u = l2.trainer();
  u->prepare();
  const auto l2_final = wei::testing::fit_to_end(*u).final;
  // A ball of radius 1 reaches asin(1/2) / pi = 1/6 of the circle either side: c = (0.1 + 1/3) / 0.1.
  CHECK(l2_final["theory"]["neighbourhood_half_width"].get<double>() == Approx(1.0 / 6));
  CHECK(l2_final["theory"]["expansion_c"].get<double>() == Approx(13.0 / 3));
  CHECK(l2_final["theory"]["ground_truth_robust"] == false);  // separation 3: balls of radius 1 touch
}

TEST_CASE("toy runs are deterministic and resume bit-identically", "[self_training]") {
  const auto rows = wei::testing::check_repeats_and_resumes(
      toy_fixture(toy_spec({{"optim.steps", int64_t{60}}, {"optim.eval_every", int64_t{20}}, {"optim.ema", 0.9}}), 5),
      1);
  CHECK(rows.size() == 3);
  CHECK(rows.back().contains("consistency_loss"));
}

TEST_CASE("toy refuses another method, and dimensions too small for the circles", "[self_training]") {
  const auto info = wei::self_training_trainer_info();
  CHECK_THAT(wei::testing::spec_refusal(info, toy_spec({{"method", std::string("fixmatch")}})),
             Catch::Contains("setting toy has method teacher_student"));
  CHECK_THAT(wei::testing::spec_refusal(info, toy_spec({{"toy.dim", int64_t{5}}})), Catch::Contains("toy.dim"));
  CHECK_THAT(wei::testing::spec_refusal(info, toy_spec({{"toy.teacher_error", 0.5}})),
             Catch::Contains("toy.teacher_error"));
}
