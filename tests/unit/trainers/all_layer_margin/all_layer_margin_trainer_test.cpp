#include <catch2/catch.hpp>

#include <filesystem>

#include "base/errors.h"
#include "spec/spec_loader.h"
#include "sweep/sweep_plan.h"
#include "support/input_error.h"
#include "support/trainer_fixture.h"
#include "trainers/all_layer_margin/all_layer_margin_trainer.h"
#include "unit/data/cifar_test_data.h"

namespace {

using json = nlohmann::ordered_json;
using AlmOverrides = std::map<std::string, wei::ParamValue>;

// WRN-10-1 on 96 synthetic training and 40 test images; AMO from the second epoch, the learning
// rate dropped at the third; margins of 8 + 8 examples at epochs 2 and 3.
AlmOverrides alm_tiny(AlmOverrides more = {}) {
  AlmOverrides o{{"data.train_size", int64_t{96}},   {"data.test_size", int64_t{40}},
                 {"model.depth", int64_t{10}},       {"model.widen", int64_t{1}},
                 {"amo.switch_time", int64_t{2}},    {"optim.epochs", int64_t{3}},
                 {"optim.batch_size", int64_t{32}},  {"optim.lr_milestones", std::vector<int64_t>{2}},
                 {"margin.every", int64_t{2}},       {"margin.train_examples", int64_t{8}},
                 {"margin.test_examples", int64_t{8}}, {"margin.steps", int64_t{3}},
                 {"margin.bisections", int64_t{3}}};
  for (auto& [k, v] : more) o[k] = v;
  return o;
}

wei::testing::TrainerFixture alm_fixture(const AlmOverrides& overrides, uint64_t seed = 0) {
  return wei::testing::TrainerFixture(wei::all_layer_margin_trainer_info(), overrides, seed);
}

// The diagnostics of a spec built from `overrides` that the loader refuses, joined.
std::string alm_refusal(const AlmOverrides& overrides) {
  return wei::testing::spec_refusal(wei::all_layer_margin_trainer_info(), overrides);
}

}  // namespace

TEST_CASE("all_layer_margin: SGD then AMO, the schedule, margins and final metrics", "[all_layer_margin][trainer]") {
  auto fixture = alm_fixture(alm_tiny());
  auto trainer = fixture.trainer();
  trainer->prepare();
  const json data = trainer->data_info();
  CHECK(data["source"] == "synthetic");
  CHECK(data["train_size"] == 96);
  CHECK(data["test_size"] == 40);
  CHECK(data["corrupted_labels"] == 0);
  CHECK(data["model_parameters"] == 78138);  // WRN-10-1 of the all-layer-margin reference
  CHECK(trainer->headline().key == "test_error");

  const auto run = wei::testing::fit_to_end(*trainer);
  const auto& rows = run.rows;
  REQUIRE(rows.size() == 3);
  CHECK(rows[0]["method"] == "sgd");
  CHECK_FALSE(rows[0].contains("perturbed_train_accuracy"));
  CHECK_FALSE(rows[0].contains("margin_train_mean"));
  for (const int e : {1, 2}) {
    CAPTURE(e);
    CHECK(rows[e]["method"] == "amo");
    CHECK(rows[e].contains("perturbed_train_accuracy"));
    for (const char* key : {"margin_train_mean", "margin_train_q10", "margin_train_median", "margin_train_q90",
                            "margin_test_mean", "margin_test_censored"}) {
      CHECK(rows[e].contains(key));
    }
    CHECK(rows[e]["margin_train_q10"].get<double>() <= rows[e]["margin_train_median"].get<double>());
    CHECK(rows[e]["margin_train_median"].get<double>() <= rows[e]["margin_train_q90"].get<double>());
  }
  CHECK(rows[0]["lr"].get<double>() == Approx(0.1));
  CHECK(rows[2]["lr"].get<double>() == Approx(0.02));
  for (const auto& row : rows) {
    CHECK(std::isfinite(row["train_loss"].get<double>()));
    CHECK(row["test_error"].get<double>() == Approx(100.0 - row["test_accuracy"].get<double>()));
  }
  const json& final = run.final;
  CHECK(final["test_error"] == rows[2]["test_error"]);
  CHECK(final["margin_test_median"] == rows[2]["margin_test_median"]);
  CHECK(final["method"] == "amo");
  CHECK(final["model"] == "WRN-10-1");
}

TEST_CASE("all_layer_margin CPU runs are deterministic and resume bit-identically", "[all_layer_margin][trainer]") {
  // Interrupted after the first AMO epoch, resumed in a fresh trainer.
  const auto rows = wei::testing::check_repeats_and_resumes(alm_fixture(alm_tiny(), 3), 2);

  // method: sgd on the same seed starts from the same weights and data, then departs.
  AlmOverrides sgd = alm_tiny({{"method", std::string("sgd")}});
  sgd.erase("amo.switch_time");
  auto sgd_fixture = alm_fixture(sgd, 3);
  auto sgd_trainer = sgd_fixture.trainer();
  sgd_trainer->prepare();
  const auto sgd_rows = wei::testing::run_epochs(*sgd_trainer);
  CHECK(sgd_rows[0] == rows[0]);
  CHECK(sgd_rows[1]["method"] == "sgd");
  CHECK(sgd_rows[1]["train_loss"] != rows[1]["train_loss"]);
}

TEST_CASE("corrupt_prob replaces that share of labels with random ones", "[all_layer_margin][trainer]") {
  auto fixture = alm_fixture(alm_tiny({{"data.train_size", int64_t{1000}}, {"data.corrupt_prob", 0.5}}));
  auto trainer = fixture.trainer();
  trainer->prepare();
  // A replaced label keeps its class with chance 1/10: about 0.5 * 0.9 * 1000 = 450 change.
  const auto changed = trainer->data_info()["corrupted_labels"].get<int64_t>();
  CHECK(changed > 400);
  CHECK(changed < 500);
}

TEST_CASE("all_layer_margin refuses a bad depth, a negative inner lr and keys its method does not read",
          "[all_layer_margin][trainer]") {
  CHECK_THAT(alm_refusal(alm_tiny({{"model.depth", int64_t{12}}})),
             Catch::Matchers::Contains("model.depth") && Catch::Matchers::Contains("6n + 4"));
  CHECK_THAT(alm_refusal(alm_tiny({{"amo.inner_lr", -0.01}})), Catch::Matchers::Contains("amo.inner_lr"));
  CHECK_THAT(alm_refusal(alm_tiny({{"method", std::string("sgd")}})), Catch::Matchers::Contains("amo.switch_time"));
  CHECK_THAT(alm_refusal(alm_tiny({{"amo.switch_time", int64_t{9}}})),
             Catch::Matchers::Contains("amo.switch_time <= optim.epochs"));
  CHECK_THAT(alm_refusal(alm_tiny({{"data.mean", std::vector<double>{0.5, 0.5}}})),
             Catch::Matchers::Contains("data.mean has 3 values"));
  CHECK_THAT(alm_refusal(alm_tiny({{"margin.train_examples", int64_t{200}}})),
             Catch::Matchers::Contains("margin.train_examples <= data.train_size"));
}

TEST_CASE("a data root without CIFAR-100 files is an input error naming the file", "[all_layer_margin][trainer]") {
  const auto root = wei::testing::fresh_temp_dir("alm_no_cifar100");
  // CIFAR-10 is there; CIFAR-100 is asked for.
  wei::testing::write_bytes(root / "cifar-10-batches-bin" / "test_batch.bin", wei::testing::cifar_record({1}, 0));
  auto fixture = alm_fixture(alm_tiny({{"data.root", root.string()}, {"data.dataset", std::string("cifar100")}}));
  auto trainer = fixture.trainer();
  const std::string message = wei::testing::input_error_of([&] { trainer->prepare(); });
  CHECK_THAT(message, Catch::Matchers::Contains(root.string()) && Catch::Matchers::Contains("cifar100") &&
                          Catch::Matchers::Contains("test.bin"));
  std::filesystem::remove_all(root);
}

TEST_CASE("every all_layer_margin config validates", "[all_layer_margin][configs]") {
  namespace fs = std::filesystem;
  wei::TrainerRegistry registry;
  registry.add(wei::all_layer_margin_trainer_info());
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(WEI_SOURCE_DIR) / "configs" / "all_layer_margin")) {
    if (entry.path().extension() != ".yaml") continue;
    INFO(entry.path());
    const auto spec = wei::load_spec(entry.path().string(), {}, registry);
    const std::string name = entry.path().stem().string();
    CHECK(spec.get_string("name") == name);
    CHECK(spec.get_string("device") == "auto");
    if (name == "cpu_effect_search") {
      // The search over width x training images; methods and seeds come from the command line, so
      // every point must validate with either method.
      const auto plan = wei::make_sweep_plan(entry.path().string(), {"method=sgd,amo"}, "");
      CHECK(plan.points.size() == 3 * 2 * 2);
      for (const auto& point : plan.points) {
        INFO(point.dir_name);
        CHECK_NOTHROW(wei::load_spec(entry.path().string(), point.overrides, registry));
      }
      // The reference's milestones (60/120/150 of 200) scaled to the run's epochs.
      CHECK(spec.get_int_list("optim.lr_milestones") ==
            std::vector<int64_t>{spec.get_int("optim.epochs") * 3 / 10 - 1, spec.get_int("optim.epochs") * 6 / 10 - 1,
                                 spec.get_int("optim.epochs") * 3 / 4 - 1});
    } else if (name.rfind("cpu_", 0) == 0) {
      // The CPU profile: cpu_wrn16_<method>, a short run of the same schedule shape.
      CHECK(spec.get_int("model.depth") == 16);
      CHECK(spec.get_int("optim.epochs") <= 30);
      CHECK(name.substr(name.rfind('_') + 1) == spec.get_string("method"));
    } else {
      // Paper scale: <dataset>_wrn<depth>_<method>, the reference recipe.
      CHECK(spec.get_int("optim.epochs") == 200);
      CHECK(spec.get_int("model.widen") == 10);
      CHECK(name.find(spec.get_string("data.dataset")) == 0);
      CHECK(name.find("wrn" + std::to_string(spec.get_int("model.depth"))) != std::string::npos);
      CHECK(name.substr(name.rfind('_') + 1) == spec.get_string("method"));
    }
    ++checked;
  }
  // 2 depths x 2 datasets x 2 methods at paper scale, the CPU profile's two methods and the search.
  CHECK(checked == 11);
}
