#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <torch/nn/functional.h>

#include "base/errors.h"
#include "base/seeding.h"
#include "data/cifar_batches.h"
#include "data/cifar_sets.h"
#include "models/wide_resnet.h"
#include "spec/spec_loader.h"
#include "sweep/sweep_plan.h"
#include "support/cli_in_process.h"
#include "support/json_file.h"
#include "support/temp_dir.h"
#include "support/trainer_fixture.h"
#include "trainers/large_lr_patch/large_lr_patch_trainer.h"
#include "trainers/large_lr_patch/patch_transform.h"

namespace llp_trainer_test {

using json = nlohmann::ordered_json;
using LlpOverrides = std::map<std::string, wei::ParamValue>;

// WRN-10-1 on 96 synthetic training and 40 test images, 3 epochs of 3 batches, the learning rate
// multiplied by 0.04 from the second epoch, 50 patch-only images.
LlpOverrides llp_tiny(LlpOverrides more = {}) {
  LlpOverrides o{{"data.train_size", int64_t{96}},  {"data.test_size", int64_t{40}},
                 {"model.depth", int64_t{10}},      {"model.widen", int64_t{1}},
                 {"optim.epochs", int64_t{3}},      {"optim.batch_size", int64_t{32}},
                 {"optim.lr_milestones", std::vector<int64_t>{1}}, {"eval.patch_only_images", int64_t{50}}};
  for (auto& [k, v] : more) o[k] = v;
  return o;
}

LlpOverrides llp_noise(LlpOverrides more = {}) {
  LlpOverrides o = llp_tiny({{"optim.schedule", std::string("fixed")},
                             {"optim.lr", 0.004},
                             {"regularizer", std::string("act_noise")},
                             {"act_noise.milestones", std::vector<int64_t>{2}}});
  o.erase("optim.lr_milestones");
  for (auto& [k, v] : more) o[k] = v;
  return o;
}

wei::testing::TrainerFixture llp_fixture(const LlpOverrides& overrides, uint64_t seed = 0) {
  return wei::testing::TrainerFixture(wei::large_lr_patch_trainer_info(), overrides, seed);
}

std::vector<std::string> llp_keys(const json& object) {
  std::vector<std::string> keys;
  for (const auto& item : object.items()) keys.push_back(item.key());
  return keys;
}

// The diagnostics of a spec built from `overrides` that the loader refuses, joined.
std::string llp_refusal(const LlpOverrides& overrides) {
  return wei::testing::spec_refusal(wei::large_lr_patch_trainer_info(), overrides);
}

const std::vector<std::string> kLlpRowKeys = {
    "epoch",        "lr",           "train_loss",   "train_accuracy", "train_patched_accuracy", "train_clean_accuracy",
    "train_patch_only_images",      "test_loss",      "test_accuracy",          "test_error",
    "patched_test_loss",            "patched_test_accuracy",                    "patch_only_loss",
    "patch_only_accuracy"};

TEST_CASE("large_lr_patch: the schedule, the documented history and final keys", "[large_lr_patch][trainer]") {
  auto fixture = llp_fixture(llp_tiny());
  auto trainer = fixture.trainer();
  trainer->prepare();
  const json data = trainer->data_info();
  CHECK(data["source"] == "synthetic");
  CHECK(data["train_size"] == 96);
  CHECK(data["test_size"] == 40);
  CHECK(data["patch_only_images"] == 50);
  CHECK(data["patch_rows"] == json::array({12, 18}));
  CHECK(data["model_parameters"] == 77850);  // WRN-10-1 of the large-lr reference (no stem BN)
  auto select = wei::make_generator(0, "patch-select-train");
  CHECK(data["patched_train_images"] ==
        wei::large_lr_patch::select_patched(96, 0.8, select).sum().item<int64_t>());
  CHECK(trainer->headline().key == "test_accuracy");
  CHECK_FALSE(trainer->headline().lower_is_better);

  const auto run = wei::testing::fit_to_end(*trainer);
  const std::vector<json>& rows = run.rows;
  REQUIRE(rows.size() == 3);
  for (const auto& row : rows) CHECK(llp_keys(row) == kLlpRowKeys);
  CHECK(rows[0]["lr"].get<double>() == Approx(0.1));
  CHECK(rows[1]["lr"].get<double>() == Approx(0.004));
  CHECK(rows[2]["lr"].get<double>() == Approx(0.004));
  for (const auto& row : rows) {
    CHECK(std::isfinite(row["train_loss"].get<double>()));
    CHECK(row["test_error"].get<double>() == Approx(100.0 - row["test_accuracy"].get<double>()));
    // Every image is seen once an epoch: patched share of the accuracy plus the clean share.
    const double patched = data["patched_train_images"].get<double>();
    CHECK(row["train_accuracy"].get<double>() ==
          Approx((patched * row["train_patched_accuracy"].get<double>() +
                  (96 - patched) * row["train_clean_accuracy"].get<double>()) /
                 96));
    CHECK(row["train_patch_only_images"].get<int64_t>() <= data["patched_train_images"].get<int64_t>());
    // Accuracies of 40 and 50 images.
    CHECK(std::fmod(row["test_accuracy"].get<double>() * 40 / 100 + 1e-9, 1.0) < 1e-6);
    CHECK(std::fmod(row["patch_only_accuracy"].get<double>() * 50 / 100 + 1e-9, 1.0) < 1e-6);
  }
  const json& final = run.final;
  const std::vector<std::string> final_keys = {"test_accuracy",          "test_error",           "test_loss",
                                                "patched_test_accuracy",  "patch_only_accuracy",  "train_accuracy",
                                                "train_patched_accuracy", "train_clean_accuracy", "regularizer",
                                                "model"};
  CHECK(llp_keys(final) == final_keys);
  CHECK(final["test_accuracy"] == rows[2]["test_accuracy"]);
  CHECK(final["patch_only_accuracy"] == rows[2]["patch_only_accuracy"]);
  CHECK(final["regularizer"] == "none");
  CHECK(final["model"] == "WRN-10-1");
}

TEST_CASE("large_lr_patch: the three evaluations score the documented sets", "[large_lr_patch][trainer]") {
  const uint64_t seed = 4;
  auto fixture = llp_fixture(llp_tiny({{"optim.epochs", int64_t{1}}, {"channels_last", false}}), seed);
  auto trainer = fixture.trainer();
  trainer->prepare();
  const json row = wei::testing::run_epochs(*trainer).at(0);

  // The trained network, taken from the checkpoint.
  wei::models::WideResNet model(wei::models::WideResNetOptions{10, 1, 10, wei::models::WideResNetVariant::kStandard});
  wei::testing::load_registered([&](wei::CheckpointBundle& b) { b.add_module("model", *model); },
                                wei::testing::save_checkpoint(*trainer));
  model->eval();
  torch::NoGradGuard no_grad;

  // The documented sets: the seed's synthetic test subset, normalised with the reference's
  // statistics; the seed's patterns ("patch-patterns") and evaluation streams.
  const auto sets = wei::data::load_cifar_sets("", wei::data::CifarKind::kCifar10, 96, 40, seed);
  wei::data::Normalization norm;
  norm.mean = {125.3f / 255, 123.0f / 255, 113.9f / 255};
  norm.std = {63.0f / 255, 62.1f / 255, 66.7f / 255};
  const torch::Tensor test = wei::data::normalize_images(sets.test.images, norm, torch::kCPU, false);
  auto pattern_gen = wei::make_generator(seed, "patch-patterns");
  const auto patterns = wei::large_lr_patch::make_patch_patterns(10, {}, pattern_gen);
  const auto eval = wei::large_lr_patch::make_patch_eval_sets(test, sets.test.labels, patterns, {}, 0.8, 50, 10, seed);

  const auto score = [&](const torch::Tensor& x, const torch::Tensor& y, const std::string& prefix) {
    CAPTURE(prefix);
    const torch::Tensor logits = model->forward(x);
    CHECK(row[prefix + "accuracy"].get<double>() ==
          Approx(100.0 * logits.argmax(1).eq(y).to(torch::kDouble).mean().item<double>()).margin(1e-9));
    CHECK(row[prefix + "loss"].get<double>() ==
          Approx(torch::nn::functional::cross_entropy(logits, y).item<double>()).epsilon(1e-5));
  };
  score(test, sets.test.labels, "test_");
  score(eval.patched_images, sets.test.labels, "patched_test_");
  score(eval.patch_only_images, eval.patch_only_labels, "patch_only_");
  // A network that answered the patch's label on every patch-only image would score 100 there; this
  // one after an epoch on 96 images is not it, and the three sets differ.
  CHECK(row["patch_only_loss"] != row["test_loss"]);
  CHECK(row["patched_test_loss"] != row["test_loss"]);
}

TEST_CASE("large_lr_patch CPU runs are deterministic and resume bit-identically", "[large_lr_patch][trainer]") {
  // Interrupted after the second epoch, resumed in a fresh trainer: the patch draws, the shuffle and
  // the activation noise continue where they were.
  const auto rows = wei::testing::check_repeats_and_resumes(llp_fixture(llp_noise(), 3), 2);

  // Another seed draws other data, patches and weights.
  auto other_fixture = llp_fixture(llp_noise(), 4);  // the trainer logs through its fixture's logger
  auto other = other_fixture.trainer();
  other->prepare();
  CHECK(wei::testing::run_epochs(*other)[0]["train_loss"] != rows[0]["train_loss"]);
}

TEST_CASE("large_lr_patch: activation noise is the only difference, and decays at its milestone",
          "[large_lr_patch][trainer]") {
  auto noisy_fixture = llp_fixture(llp_noise(), 1);
  auto noisy = noisy_fixture.trainer();
  noisy->prepare();
  const auto noisy_rows = wei::testing::run_epochs(*noisy);
  CHECK(noisy_rows[0]["act_noise"].get<double>() == Approx(0.4));
  CHECK(noisy_rows[1]["act_noise"].get<double>() == Approx(0.4));
  CHECK(noisy_rows[2]["act_noise"].get<double>() == Approx(0.4e-5));
  CHECK(noisy_rows[0]["lr"].get<double>() == Approx(0.004));
  CHECK(noisy_rows[2]["lr"].get<double>() == Approx(0.004));

  // Zero noise trains exactly as no regularizer: the hook adds nothing else.
  auto silent_fixture = llp_fixture(llp_noise({{"act_noise.std", 0.0}}), 1);
  auto silent = silent_fixture.trainer();
  silent->prepare();
  auto silent_rows = wei::testing::run_epochs(*silent);
  LlpOverrides plain_overrides = llp_tiny({{"optim.schedule", std::string("fixed")}, {"optim.lr", 0.004}});
  plain_overrides.erase("optim.lr_milestones");
  auto plain_fixture = llp_fixture(plain_overrides, 1);
  auto plain = plain_fixture.trainer();
  plain->prepare();
  const auto plain_rows = wei::testing::run_epochs(*plain);
  for (auto& row : silent_rows) row.erase("act_noise");
  CHECK(silent_rows == plain_rows);
  CHECK(noisy_rows[0]["train_loss"] != plain_rows[0]["train_loss"]);
  // The same data and patches: only the network's training differs.
  CHECK(noisy_rows[0]["train_patch_only_images"] == plain_rows[0]["train_patch_only_images"]);
}

TEST_CASE("large_lr_patch refuses keys its mode does not read and values out of range", "[large_lr_patch][trainer]") {
  CHECK_THAT(llp_refusal(llp_tiny({{"act_noise.std", 0.4}})),
             Catch::Matchers::Contains("act_noise.std") && Catch::Matchers::Contains("regularizer"));
  CHECK_THAT(llp_refusal(llp_tiny({{"act_noise.milestones", std::vector<int64_t>{30}}})),
             Catch::Matchers::Contains("act_noise.milestones"));
  CHECK_THAT(llp_refusal(llp_tiny({{"optim.schedule", std::string("fixed")}})),
             Catch::Matchers::Contains("optim.lr_milestones") && Catch::Matchers::Contains("optim.schedule"));
  CHECK_THAT(llp_refusal(llp_noise({{"optim.lr_gamma", 0.1}})), Catch::Matchers::Contains("optim.lr_gamma"));
  CHECK_THAT(llp_refusal(llp_tiny({{"patch.fraction", 1.5}})), Catch::Matchers::Contains("patch.fraction"));
  CHECK_THAT(llp_refusal(llp_tiny({{"patch.size", int64_t{33}}})), Catch::Matchers::Contains("patch.size"));
  CHECK_THAT(llp_refusal(llp_tiny({{"model.depth", int64_t{12}}})),
             Catch::Matchers::Contains("model.depth") && Catch::Matchers::Contains("6n + 4"));
  CHECK_THAT(llp_refusal(llp_tiny({{"data.std", std::vector<double>{0.5, 0.5}}})),
             Catch::Matchers::Contains("data.std has 3 values"));
  CHECK(llp_refusal(llp_noise()) == "accepted");
  CHECK(llp_refusal(llp_tiny()) == "accepted");
}

TEST_CASE("large_lr_patch: a short run through the CLI writes its history, final and best", "[large_lr_patch][trainer]") {
  wei::testing::TempDir tmp;
  tmp.write("llp.yaml",
            "name: llp_cli\ntrainer: large_lr_patch\nseed: 2\ndevice: cpu\nthreads: 1\n"
            "data: {train_size: 64, test_size: 20}\nmodel: {depth: 10, widen: 1}\n"
            "optim: {epochs: 2, batch_size: 32, lr: 0.004, schedule: fixed}\n"
            "regularizer: act_noise\nact_noise: {milestones: [1]}\neval: {patch_only_images: 30}\n");
  const auto result = wei::testing::run_cli({"run", "llp.yaml", "--out", "out"}, tmp.path());
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  const auto metrics = wei::testing::read_json(tmp.path() / "out" / "metrics.json");
  CHECK(metrics["status"] == "ok");
  CHECK(metrics["data"]["source"] == "synthetic");
  REQUIRE(metrics["history"].size() == 2);
  for (const auto& key : kLlpRowKeys) {
    CAPTURE(key);
    CHECK(metrics["history"][0].contains(key));
  }
  CHECK(metrics["history"][1]["act_noise"].get<double>() == Approx(0.4e-5));
  CHECK(metrics["final"]["regularizer"] == "act_noise");
  CHECK(metrics["final"]["patch_only_accuracy"] == metrics["history"][1]["patch_only_accuracy"]);
  CHECK(metrics["best"].contains("test_accuracy"));
  std::ifstream history(tmp.path() / "out" / "history.jsonl");
  int lines = 0;
  for (std::string line; std::getline(history, line);) lines += !line.empty();
  CHECK(lines == 2);
}

TEST_CASE("every large_lr_patch config validates", "[large_lr_patch][configs]") {
  namespace fs = std::filesystem;
  wei::TrainerRegistry registry;
  registry.add(wei::large_lr_patch_trainer_info());
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(WEI_SOURCE_DIR) / "configs" / "large_lr_patch")) {
    if (entry.path().extension() != ".yaml") continue;
    INFO(entry.path());
    const auto spec = wei::load_spec(entry.path().string(), {}, registry);
    std::string name = entry.path().stem().string();
    CHECK(spec.get_string("name") == name);
    CHECK(spec.get_string("device") == "auto");
    // cpu_effect_search_<run>: the search over width x training images, the anneal at half the run.
    const bool search = name.rfind("cpu_effect_search_", 0) == 0;
    if (search) {
      const auto plan = wei::make_sweep_plan(entry.path().string(), {}, "");
      CHECK(plan.points.size() == 3 * 2);
      for (const auto& point : plan.points) {
        INFO(point.dir_name);
        CHECK_NOTHROW(wei::load_spec(entry.path().string(), point.overrides, registry, wei::UnreadKeys::kRefuse));
      }
      name = name.substr(std::string("cpu_effect_search_").size());
    }
    const bool cpu = search || name.rfind("cpu_", 0) == 0;
    if (cpu && !search) name = name.substr(4);
    // <run>: large_lr, small_lr or act_noise, as the reference names its three runs.
    const bool large = name == "large_lr";
    CHECK((large || name == "small_lr" || name == "act_noise"));
    CHECK(spec.get_string("optim.schedule") == (large ? "multistep" : "fixed"));
    CHECK(spec.get_float("optim.lr") == (large ? 0.1 : 0.004));
    CHECK(spec.get_string("regularizer") == (name == "act_noise" ? "act_noise" : "none"));
    CHECK(spec.get_int("model.depth") == 16);
    CHECK(spec.get_float("patch.fraction") == 0.8);
    const int64_t epochs = spec.get_int("optim.epochs");
    const int64_t anneal = cpu ? 9 : 29;  // epochs completed: the reference's 1-based epoch 10 or 30
    if (large) CHECK(spec.get_int_list("optim.lr_milestones") == std::vector<int64_t>{anneal});
    if (name == "act_noise") CHECK(spec.get_int_list("act_noise.milestones") == std::vector<int64_t>{anneal});
    if (search) {
      CHECK(epochs == 20);
      CHECK(name != "act_noise");
    } else if (cpu) {
      CHECK(spec.get_int("model.widen") == 1);
      CHECK(epochs == 20);
      CHECK(spec.get_int("data.train_size") == 10000);
    } else {
      CHECK(spec.get_int("model.widen") == 10);
      CHECK(epochs == 60);
      CHECK(spec.get_int("data.train_size") == 0);
    }
    ++checked;
  }
  CHECK(checked == 8);  // the three runs at paper scale and in the CPU profile, and the search's two
}

}  // namespace llp_trainer_test
