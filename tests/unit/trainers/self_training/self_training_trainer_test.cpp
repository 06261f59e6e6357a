#include "trainers/self_training/self_training_trainer.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <string>

#include "spec/spec_loader.h"
#include "support/trainer_fixture.h"
#include "train/registry.h"

namespace {

using json = nlohmann::ordered_json;
using Overrides = std::map<std::string, wei::ParamValue>;

// WRN-10-1 on 400 synthetic training images (40 labelled) and 100 test images, 3 unlabelled per
// labelled image, 6 steps of 8 labelled images, evaluated every 2 steps.
Overrides tiny(Overrides more = {}) {
  Overrides o{{"data.labels", int64_t{40}},      {"data.train_size", int64_t{400}}, {"data.test_size", int64_t{100}},
              {"model.depth", int64_t{10}},      {"model.widen", int64_t{1}},       {"unlabelled.mu", int64_t{3}},
              {"optim.steps", int64_t{6}},       {"optim.batch_size", int64_t{8}},  {"optim.eval_every", int64_t{2}},
              {"eval.median_of", int64_t{2}}};
  for (auto& [k, v] : more) o[k] = v;
  return o;
}

wei::testing::TrainerFixture fixture(const Overrides& overrides, uint64_t seed = 0) {
  return wei::testing::TrainerFixture(wei::self_training_trainer_info(), overrides, seed);
}

}  // namespace

TEST_CASE("self_training: the labelled subset is balanced and part of the unlabelled set", "[self_training]") {
  const auto fx = fixture(tiny(), 0);
  auto a = fx.trainer();
  a->prepare();
  const json data = a->data_info();
  CHECK(data["labelled"] == 40);
  CHECK(data["unlabelled"] == 400);  // the labelled images are part of the unlabelled set
  CHECK(data["labelled_class_counts"] == std::vector<int64_t>(10, 4));
  CHECK(data["model_parameters"] == 77850);
  CHECK(data["source"] == "synthetic");
}

TEST_CASE("self_training: each method's history, and FixMatch's mask at a low threshold", "[self_training]") {
  for (const std::string method : {"supervised", "pseudo_label", "fixmatch"}) {
    CAPTURE(method);
    Overrides o = tiny({{"method", method}});
    if (method == "supervised") {
      o.erase("unlabelled.mu");
    } else {
      o["unlabelled.threshold"] = 0.05;  // below 1/10: every pseudo-label passes
    }
    const auto fx = fixture(o);
    auto trainer = fx.trainer();
    trainer->prepare();
    const auto run = wei::testing::fit_to_end(*trainer);
    REQUIRE(run.rows.size() == 3);
    for (const auto& row : run.rows) {
      CHECK(row["test_per_class_accuracy"].size() == 10);
      CHECK(row["test_error"].get<double>() == Approx(100.0 - row["test_accuracy"].get<double>()));
      if (method == "supervised") {
        CHECK_FALSE(row.contains("mask_rate"));
        CHECK(row["train_loss"] == row["labelled_loss"]);
      } else {
        CHECK(row["mask_rate"].get<double>() == 1.0);
        CHECK(row["pseudo_label_accuracy"].get<double>() >= 0.0);
        CHECK(row["pseudo_label_accuracy"].get<double>() <= 100.0);
        CHECK(row["train_loss"].get<double>() ==
              Approx(row["labelled_loss"].get<double>() + row["unlabelled_loss"].get<double>()));
      }
    }
    CHECK(run.rows.back()["step"] == 6);
    // The reported error is the median of the last evaluations (2 here).
    const double a = run.rows[1]["test_error"], b = run.rows[2]["test_error"];
    CHECK(run.final["test_error"].get<double>() == Approx((a + b) / 2));
    CHECK(run.final["method"] == method);
  }
}

TEST_CASE("self_training runs are deterministic and resume bit-identically mid-run", "[self_training]") {
  // Interrupted after the first evaluation; the checkpoint carries the weights' average.
  const auto rows = wei::testing::check_repeats_and_resumes(fixture(tiny({{"unlabelled.threshold", 0.5}}), 3), 1);
  CHECK(rows.size() == 3);
}

TEST_CASE("self_training refuses labels that are not a multiple of 10 and thresholds outside 0 to 1",
          "[self_training]") {
  const auto info = wei::self_training_trainer_info();
  CHECK_THAT(wei::testing::spec_refusal(info, tiny({{"data.labels", int64_t{45}}})),
             Catch::Contains("data.labels") && Catch::Contains("multiple of 10"));
  CHECK_THAT(wei::testing::spec_refusal(info, tiny({{"data.labels", int64_t{50010}}})),
             Catch::Contains("data.labels"));
  CHECK_THAT(wei::testing::spec_refusal(info, tiny({{"unlabelled.threshold", 0.0}})),
             Catch::Contains("unlabelled.threshold"));
  CHECK_THAT(wei::testing::spec_refusal(info, tiny({{"unlabelled.threshold", 1.5}})),
             Catch::Contains("unlabelled.threshold"));
  CHECK_THAT(wei::testing::spec_refusal(info, tiny({{"data.labels", int64_t{500}}})),
             Catch::Contains("data.labels <= data.train_size"));
}

TEST_CASE("every self_training config validates strictly, with the paper's recipe at paper scale", "[self_training]") {
  namespace fs = std::filesystem;
  wei::TrainerRegistry registry;
  registry.add(wei::self_training_trainer_info());
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(WEI_SOURCE_DIR) / "configs" / "self_training")) {
    INFO(entry.path());
    const auto spec = wei::load_spec(entry.path().string(), {}, registry, wei::UnreadKeys::kRefuse);
    const std::string name = entry.path().stem().string();
    CHECK(spec.get_string("name") == name);
    if (name.rfind("fixmatch_cifar10_", 0) == 0) {
      CHECK(spec.get_int("data.labels") == std::stoll(name.substr(17)));
      CHECK(spec.get_int("model.depth") == 28);
      CHECK(spec.get_int("model.widen") == 2);
      CHECK(spec.get_int("optim.steps") == 1048576);
      CHECK(spec.get_string("optim.schedule") == "fixmatch_cosine");
      CHECK_FALSE(spec.get_bool("optim.weight_decay_norm_and_bias"));
    }
    ++checked;
  }
  CHECK(checked == 9);
}
