#include <catch2/catch.hpp>

#include <filesystem>
#include <map>

#include "base/errors.h"
#include "spec/spec_loader.h"
#include "support/trainer_fixture.h"
#include "trainers/max_margin/max_margin_trainer.h"

namespace wei::max_margin {

namespace {

using json = nlohmann::ordered_json;
using MmFixture = wei::testing::TrainerFixture;

using MmOverrides = std::map<std::string, wei::ParamValue>;

MmFixture mm_fixture(const MmOverrides& overrides, uint64_t seed = 0) {
  return MmFixture(wei::max_margin_trainer_info(), overrides, seed);
}


MmOverrides mm_small_linear() {
  return {{"linear.dim", int64_t{5000}},   {"linear.n_train", int64_t{50}},  {"linear.mu_norm", 8.0},
          {"linear.logistic_steps", int64_t{3000}}, {"linear.log_every", int64_t{1000}},
          {"linear.mc_points", int64_t{20000}}};
}

MmOverrides mm_small_sphere() {
  return {{"setting", std::string("hypersphere")},
          {"hypersphere.dim", int64_t{10}},
          {"hypersphere.width", int64_t{64}},
          {"hypersphere.n_train", int64_t{128}},
          {"hypersphere.n_test", int64_t{512}},
          {"hypersphere.batch_size", int64_t{8}},
          {"hypersphere.lr", 0.5},
          {"hypersphere.margin", 1.0},
          {"hypersphere.threshold", 0.05},
          {"hypersphere.max_passes", int64_t{60}},
          {"hypersphere.passes_per_row", int64_t{1}}};
}

std::vector<std::string> mm_refused(const MmOverrides& overrides) {
  try {
    mm_fixture(overrides);
  } catch (const wei::SpecError& e) {
    return e.diagnostics();
  }
  return {};
}

}  // namespace

TEST_CASE("max_margin linear: one row per classifier, the paper's regime end to end", "[max_margin]") {
  const MmFixture fx = mm_fixture(mm_small_linear());
  auto trainer = fx.trainer();
  trainer->prepare();
  CHECK(trainer->data_info()["source"] == "synthetic");
  CHECK(trainer->data_info()["train_size"] == 50);
  REQUIRE(trainer->num_epochs() == 1 + 3 + 3);
  const auto run = wei::testing::fit_to_end(*trainer);
  const std::vector<json>& rows = run.rows;
  std::vector<std::string> names;
  for (const json& row : rows) names.push_back(row["classifier"]);
  const std::vector<std::string> expected = {"max_margin",      "logistic",  "logistic",   "logistic",
                                             "near_max_margin", "memoriser", "half_margin"};
  CHECK(names == expected);
  CHECK(rows[0]["svm_duality_gap"].get<double>() <= 1e-10);
  CHECK(rows[0]["support_vectors"] == 50);
  CHECK(rows[3]["step"] == 3000);
  CHECK(rows[1]["margin_ratio"].get<double>() < rows[3]["margin_ratio"].get<double>());
  CHECK_FALSE(rows[1].contains("test_error_mc"));

  const json& final = run.final;
  const json& c = final["classifiers"];
  CHECK(final["test_error"] == c["max_margin"]["test_error"]);
  CHECK(final["max_margin"] == c["max_margin"]["normalized_margin"]);
  CHECK(c["max_margin"]["test_error"].get<double>() < 1e-3);
  CHECK(c["max_margin"]["s_prime_error"].get<double>() > 0.95);
  CHECK(c["logistic"]["s_prime_error"].get<double>() > 0.95);
  CHECK(c["near_max_margin"]["margin_ratio"].get<double>() == Approx(0.95));
  CHECK(c["near_max_margin"]["test_error"].get<double>() < 0.02);
  CHECK(c["memoriser"]["test_error"].get<double>() == Approx(0.5));
  CHECK(c["half_margin"]["margin_ratio"].get<double>() == Approx(0.5));
  CHECK(c["half_margin"]["test_error"].get<double>() > 0.5);
  CHECK(c["half_margin"]["train_error"] == 0.0);
  for (const auto& [name, report] : c.items()) {
    CAPTURE(name);
    // 20,000 fresh points: within 4 binomial standard errors of the closed form.
    const double p = report["test_error"].get<double>();
    CHECK(std::abs(report["test_error_mc"].get<double>() - p) <= 4 * std::sqrt(p * (1 - p) / 20000) + 1e-4);
  }

  // Same seed, same everything; resuming the linear rows from a checkpoint too.
  auto again = fx.trainer();
  again->prepare();
  wei::testing::run_epochs(*again, 0, 2);
  const std::string checkpoint = wei::testing::save_checkpoint(*again);
  auto resumed = fx.trainer();
  resumed->prepare();
  wei::testing::load_checkpoint(*resumed, checkpoint);
  const auto tail = wei::testing::fit_to_end(*resumed, 2);
  CHECK(tail.rows == std::vector<json>(rows.begin() + 2, rows.end()));
  CHECK(tail.final == final);
}

TEST_CASE("max_margin hypersphere: SGD until the margin, where the run ends", "[max_margin]") {
  const MmFixture fx = mm_fixture(mm_small_sphere());
  auto trainer = fx.trainer();
  trainer->prepare();
  CHECK(trainer->data_info()["source"] == "synthetic");
  CHECK(trainer->data_info()["test_size"] == 512);
  const auto run = wei::testing::fit_to_end(*trainer);
  const std::vector<json>& rows = run.rows;
  const json& final = run.final;
  REQUIRE(final["reached_margin"] == true);
  const int64_t passes = final["passes"];
  CHECK(passes < 60);
  CHECK(trainer->done_early());
  REQUIRE(rows.size() == static_cast<size_t>(passes));  // one pass per row here, none after the margin
  CHECK(final["steps"] == passes * 16);
  CHECK(final["train_margin_error"].get<double>() <= 0.05);
  CHECK(rows[passes - 1]["reached_margin"] == true);
  CHECK(rows[passes - 2]["reached_margin"] == false);
  CHECK(rows[passes - 2]["train_margin_error"].get<double>() > 0.05);
  CHECK(rows.back()["pass"] == passes);
  CHECK(rows.back()["test_error"] == final["test_error"]);
  CHECK(final["test_error"].get<double>() < 0.5);
  for (const char* key : {"test_error", "s_prime_error", "train_loss"}) CHECK(rows[0].contains(key));
}

TEST_CASE("max_margin hypersphere resumes from a checkpoint with identical results", "[max_margin]") {
  MmOverrides overrides = mm_small_sphere();
  overrides["hypersphere.max_passes"] = int64_t{12};
  overrides["hypersphere.passes_per_row"] = int64_t{2};
  const MmFixture fx = mm_fixture(overrides);
  auto whole = fx.trainer();
  whole->prepare();
  const auto run = wei::testing::fit_to_end(*whole);
  const std::vector<json>& rows = run.rows;
  const json& final = run.final;

  auto interrupted = fx.trainer();
  interrupted->prepare();
  wei::testing::run_epochs(*interrupted, 0, 3);
  const std::string checkpoint = wei::testing::save_checkpoint(*interrupted);
  interrupted->train_epoch(3);  // moves on past the checkpoint, as a killed run would have
  auto resumed = fx.trainer();
  resumed->prepare();
  wei::testing::load_checkpoint(*resumed, checkpoint);
  const auto tail = wei::testing::fit_to_end(*resumed, 3);
  CHECK(tail.rows == std::vector<json>(rows.begin() + 3, rows.end()));
  CHECK(tail.final == final);

  auto other_seed = mm_fixture(overrides, 5).trainer();
  other_seed->prepare();
  CHECK(wei::testing::run_epochs(*other_seed, 0, 1).at(0) != rows[0]);
}

TEST_CASE("max_margin: a stop request interrupts the SVM, the descent and SGD", "[max_margin]") {
  for (const MmOverrides& overrides : {mm_small_linear(), mm_small_sphere()}) {
    const MmFixture fx(wei::max_margin_trainer_info(), overrides, 0, [] { return true; });
    auto trainer = fx.trainer();
    trainer->prepare();
    CHECK_THROWS_AS(trainer->train_epoch(0), wei::InterruptedError);
  }
  MmOverrides long_descent = mm_small_linear();
  long_descent["linear.logistic_steps"] = int64_t{100000};
  long_descent["linear.log_every"] = int64_t{100000};
  bool stop = false;
  const MmFixture fx(wei::max_margin_trainer_info(), long_descent, 0, [&stop] { return stop; });
  auto trainer = fx.trainer();
  trainer->prepare();
  CHECK_NOTHROW(trainer->train_epoch(0));
  stop = true;
  CHECK_THROWS_AS(trainer->train_epoch(1), wei::InterruptedError);  // within the 100,000 steps
}

TEST_CASE("max_margin: each setting reads only its own keys, and cross-key constraints", "[max_margin]") {
  CHECK(mm_refused({{"hypersphere.width", int64_t{10}}}) ==
        std::vector<std::string>{"override 'hypersphere.width=10': hypersphere.width: not read when setting is linear "
                                 "(read when setting is hypersphere)"});
  CHECK(mm_refused({{"setting", std::string("hypersphere")}, {"linear.mu_norm", 2.0}}).size() == 1);
  CHECK(mm_refused({{"setting", std::string("hypersphere")}, {"hypersphere.inner_radius", 1.5}}).size() == 1);
  CHECK(mm_refused({{"setting", std::string("hypersphere")}, {"hypersphere.batch_size", int64_t{300}}}).size() == 1);
  CHECK(mm_refused({{"linear.log_every", int64_t{20000}}}).size() == 1);
  CHECK(mm_refused({{"linear.epsilon", 0.5}}).size() == 1);
  CHECK(mm_refused({{"setting", std::string("hypersphere")}, {"hypersphere.passes_per_row", int64_t{2000}}}).size() ==
        1);
  const MmFixture linear = mm_fixture({});
  CHECK(linear.spec().has("linear.mu_norm"));
  CHECK_FALSE(linear.spec().has("hypersphere.width"));
}

TEST_CASE("every configs/max_margin spec validates and names its setting", "[max_margin]") {
  wei::TrainerRegistry registry;
  registry.add(wei::max_margin_trainer_info());
  const std::filesystem::path dir = std::filesystem::path(WEI_SOURCE_DIR) / "configs" / "max_margin";
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    INFO(entry.path().string());
    const wei::Spec spec = wei::load_spec(entry.path().string(), {}, registry);
    CHECK(entry.path().stem().string().rfind(spec.get_string("setting"), 0) == 0);
    ++count;
  }
  CHECK(count >= 4);
}

}  // namespace wei::max_margin
