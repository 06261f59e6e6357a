#include <catch2/catch.hpp>

#include <map>

#include "base/errors.h"
#include "support/trainer_fixture.h"
#include "trainers/hmm_prompt/hmm_prompt_trainer.h"

namespace {

// A small H = 4 setting that trains in seconds on one core.
std::map<std::string, wei::ParamValue> small_setting() {
  return {{"hmm.states", int64_t{4}},           {"model.width", int64_t{32}},
          {"model.heads", int64_t{2}},          {"model.ff_width", int64_t{64}},
          {"pretrain.sequences", int64_t{200}}, {"pretrain.sequence_length", int64_t{400}},
          {"pretrain.block_length", int64_t{40}}, {"pretrain.steps", int64_t{300}},
          {"pretrain.batch_size", int64_t{32}}, {"pretrain.lr", 3e-3},
          {"task.sequence_length", int64_t{48}}, {"task.input_tokens", int64_t{39}},
          {"task.prompt_length", int64_t{8}},   {"task.train_size", int64_t{600}},
          {"task.val_size", int64_t{100}},      {"task.test_size", int64_t{300}},
          {"tune.head_epochs", int64_t{20}},    {"tune.prompt_epochs", int64_t{3}},
          {"tune.batch_size", int64_t{64}}};
}

// A prepared hmm_prompt trainer on the schema defaults with `setting` applied.
std::unique_ptr<wei::Trainer> make_trainer(const wei::testing::TrainerFixture& fixture) {
  auto trainer = fixture.trainer();
  trainer->prepare();
  return trainer;
}

}  // namespace

TEST_CASE("hmm_prompt end to end at H = 4 beats chance clearly", "[hmm_prompt]") {
  const wei::testing::TrainerFixture fixture(wei::hmm_prompt_trainer_info(), small_setting(), 1);
  auto trainer = make_trainer(fixture);
  const auto data = trainer->data_info();
  REQUIRE(data["source"] == "synthetic");
  REQUIRE(data["hidden_states"] == 4);
  REQUIRE(trainer->num_epochs() == 3 + 20 + 3);
  const auto run = wei::testing::fit_to_end(*trainer);
  const auto& rows = run.rows;
  REQUIRE(rows.front()["phase"] == "pretrain");
  REQUIRE(rows[3]["phase"] == "head");
  REQUIRE(rows.back()["phase"] == "prompt");
  // The MLM learned something: loss below the uniform log 10 = 2.30.
  REQUIRE(rows[2]["mlm_loss"].get<double>() < 1.5);
  const auto& final = run.final;
  const double majority = data["test_majority_acc"].get<double>();
  INFO("final: " << final.dump() << " majority " << majority);
  REQUIRE(final["oracle_head_acc"].get<double>() > 0.9);
  REQUIRE(final["head_tuning_acc"].get<double>() > std::max(0.7, majority + 0.1));
  REQUIRE(final["prompt_tuning_acc"].get<double>() > std::max(0.7, majority + 0.1));
  // The ideal head (the same head on a perfect MLM's outputs) is the ceiling of head tuning.
  REQUIRE(final["ideal_head_acc"].get<double>() > 0.9);
  REQUIRE(final["ideal_head_acc"].get<double>() >= final["head_tuning_acc"].get<double>() - 0.03);
  REQUIRE(rows[3].contains("ideal_test_acc"));
  REQUIRE(rows[3].contains("ideal_train_loss"));
}

TEST_CASE("hmm_prompt resumes bit-identically from a checkpoint in every phase", "[hmm_prompt]") {
  auto setting = small_setting();
  setting["pretrain.steps"] = int64_t{20};
  setting["pretrain.log_every"] = int64_t{10};
  setting["tune.head_epochs"] = int64_t{2};
  setting["tune.prompt_epochs"] = int64_t{2};
  setting["task.train_size"] = int64_t{128};
  setting["model.dropout"] = 0.1;  // the global generator must be restored too
  const wei::testing::TrainerFixture fixture(wei::hmm_prompt_trainer_info(), setting, 9);
  auto straight = make_trainer(fixture);
  const int64_t epochs = straight->num_epochs();
  REQUIRE(epochs == 6);
  const auto expected_run = wei::testing::fit_to_end(*straight);
  const auto& expected = expected_run.rows;
  const auto& expected_final = expected_run.final;

  for (int64_t cut : {1, 2, 4, 5}) {  // inside pretraining, at each phase start, mid-prompt
    auto first = make_trainer(fixture);
    wei::testing::run_epochs(*first, 0, cut);
    const std::string checkpoint = wei::testing::save_checkpoint(*first);
    first.reset();
    auto resumed = make_trainer(fixture);
    wei::testing::load_checkpoint(*resumed, checkpoint);
    const auto tail = wei::testing::fit_to_end(*resumed, cut);
    REQUIRE(tail.rows == std::vector<nlohmann::ordered_json>(expected.begin() + cut, expected.end()));
    REQUIRE(tail.final == expected_final);
  }
}

TEST_CASE("hmm_prompt memory HMM uses the attention head", "[hmm_prompt]") {
  auto setting = small_setting();
  setting["hmm.kind"] = std::string("memory");
  setting.erase("hmm.states");  // a memory HMM reads hmm.memory instead
  setting["pretrain.steps"] = int64_t{20};
  setting["pretrain.log_every"] = int64_t{20};
  setting["tune.head_epochs"] = int64_t{1};
  setting["tune.prompt_epochs"] = int64_t{1};
  setting["task.train_size"] = int64_t{128};
  const wei::testing::TrainerFixture fixture(wei::hmm_prompt_trainer_info(), setting, 2);
  auto trainer = make_trainer(fixture);
  REQUIRE(trainer->data_info()["hidden_states"] == 8);
  const auto final = wei::testing::fit_to_end(*trainer).final;
  REQUIRE(final["head"] == "attention");
  REQUIRE(final["oracle_head_acc"].get<double>() >= 0.0);
  // The ideal attention head reads exact conditionals at every input position.
  REQUIRE(final["ideal_head_acc"].get<double>() >= 0.0);
}

TEST_CASE("hmm_prompt rejects inconsistent task lengths", "[hmm_prompt]") {
  auto setting = small_setting();
  setting["task.prompt_length"] = int64_t{39};
  setting["task.input_tokens"] = int64_t{60};
  try {
    const wei::testing::TrainerFixture fixture(wei::hmm_prompt_trainer_info(), setting, 1);
    FAIL("expected a SpecError");
  } catch (const wei::SpecError& e) {
    // input_tokens >= sequence_length, and blocks shorter than the input; the prompt is fine.
    REQUIRE(e.diagnostics().size() == 2);
    REQUIRE(e.diagnostics()[0] == "override 'task.input_tokens=60': task.input_tokens: must satisfy "
                                  "task.input_tokens < task.sequence_length; here task.input_tokens = 60, "
                                  "task.sequence_length = 48 (override 'task.sequence_length=48')");
    REQUIRE(e.diagnostics()[1].find("pretrain.block_length") != std::string::npos);
  }
}

namespace hmm21_trainer {

// A short run: every phase, a few epochs each.
std::map<std::string, wei::ParamValue> short_setting() {
  std::map<std::string, wei::ParamValue> setting = {
      {"hmm.states", int64_t{4}},           {"model.width", int64_t{16}},           {"model.heads", int64_t{2}},
      {"model.ff_width", int64_t{32}},      {"pretrain.sequences", int64_t{50}},    {"pretrain.sequence_length", int64_t{200}},
      {"pretrain.block_length", int64_t{40}}, {"pretrain.steps", int64_t{20}},      {"pretrain.log_every", int64_t{20}},
      {"task.sequence_length", int64_t{48}}, {"task.input_tokens", int64_t{39}},    {"task.prompt_length", int64_t{8}},
      {"task.train_size", int64_t{200}},    {"task.val_size", int64_t{60}},         {"task.test_size", int64_t{100}},
      {"tune.head_epochs", int64_t{6}},     {"tune.prompt_epochs", int64_t{3}},     {"tune.batch_size", int64_t{64}},
      {"tune.lr", 0.003}};
  return setting;
}

struct Run {
  std::vector<nlohmann::ordered_json> rows;
  nlohmann::ordered_json final;
};

Run run_all(const std::map<std::string, wei::ParamValue>& setting) {
  const wei::testing::TrainerFixture fixture(wei::hmm_prompt_trainer_info(), setting, 5);
  auto trainer = fixture.trainer();
  trainer->prepare();
  const auto fitted = wei::testing::fit_to_end(*trainer);
  return Run{fitted.rows, fitted.final};
}

// The row of `phase` that `report` picks for `prefix` ("" = the tuned head or the prompt, else
// "oracle_" or "ideal_"): the best validation accuracy, first one on ties, or the last row.
const nlohmann::ordered_json& picked(const Run& run, const std::string& phase, const std::string& prefix,
                                     bool last, int64_t* epoch) {
  const nlohmann::ordered_json* best = nullptr;
  int64_t at = 0;
  for (const auto& row : run.rows) {
    if (row["phase"] != phase) continue;
    ++at;
    if (last || best == nullptr || row[prefix + "val_acc"].get<double>() > (*best)[prefix + "val_acc"].get<double>()) {
      best = &row;
      *epoch = at;
    }
  }
  return *best;
}

}  // namespace hmm21_trainer

TEST_CASE("hmm_prompt tune.report picks the best validation epoch or the last one", "[hmm_prompt]") {
  auto setting = hmm21_trainer::short_setting();
  const auto best_val = hmm21_trainer::run_all(setting);
  setting["tune.report"] = std::string("final");
  const auto final_epoch = hmm21_trainer::run_all(setting);
  // Only the reporting differs, not the runs.
  REQUIRE(best_val.rows == final_epoch.rows);
  for (const bool last : {false, true}) {
    const auto& run = last ? final_epoch : best_val;
    INFO("report " << (last ? "final" : "best_val") << ": " << run.final.dump());
    int64_t epoch = 0;
    const auto& head = hmm21_trainer::picked(run, "head", "", last, &epoch);
    REQUIRE(run.final["head_tuning_acc"] == head["test_acc"]);
    REQUIRE(run.final["head_tuning_val_acc"] == head["val_acc"]);
    REQUIRE(run.final["head_tuning_best_epoch"] == epoch);
    const auto& prompt = hmm21_trainer::picked(run, "prompt", "", last, &epoch);
    REQUIRE(run.final["prompt_tuning_acc"] == prompt["test_acc"]);
    REQUIRE(run.final["prompt_tuning_best_epoch"] == epoch);
    const auto& oracle = hmm21_trainer::picked(run, "head", "oracle_", last, &epoch);
    REQUIRE(run.final["oracle_head_acc"] == oracle["oracle_test_acc"]);
    const auto& ideal = hmm21_trainer::picked(run, "head", "ideal_", last, &epoch);
    REQUIRE(run.final["ideal_head_acc"] == ideal["ideal_test_acc"]);
    REQUIRE(run.final["ideal_head_val_acc"] == ideal["ideal_val_acc"]);
  }
  REQUIRE(final_epoch.final["head_tuning_best_epoch"] == 6);
  REQUIRE(final_epoch.final["prompt_tuning_best_epoch"] == 3);
}

TEST_CASE("hmm_prompt pretraining chunks and masking are independent of the tuning input", "[hmm_prompt]") {
  auto setting = hmm21_trainer::short_setting();
  // The reference's 512-token chunks and masking 0.05, with 40-token tuning inputs.
  setting["pretrain.sequence_length"] = int64_t{1024};
  setting["pretrain.block_length"] = int64_t{512};
  setting["pretrain.mask_prob"] = 0.05;
  setting["pretrain.steps"] = int64_t{2};
  setting["pretrain.log_every"] = int64_t{2};
  setting["tune.head_epochs"] = int64_t{1};
  setting["tune.prompt_epochs"] = int64_t{1};
  {
    const wei::testing::TrainerFixture fixture(wei::hmm_prompt_trainer_info(), setting, 3);
    auto trainer = fixture.trainer();
    trainer->prepare();
    REQUIRE(trainer->data_info()["pretrain_blocks"] == 100);
    wei::testing::run_epochs(*trainer);
  }
  // Chunks longer than the sampled sequences, or shorter than the tuning input, are refused.
  setting["pretrain.block_length"] = int64_t{2048};
  setting["task.input_tokens"] = int64_t{30};
  setting["task.prompt_length"] = int64_t{40};
  try {
    const wei::testing::TrainerFixture fixture(wei::hmm_prompt_trainer_info(), setting, 3);
    FAIL("expected a SpecError");
  } catch (const wei::SpecError& e) {
    REQUIRE(e.diagnostics().size() == 2);
    CHECK(e.diagnostics()[0] ==
          "override 'task.prompt_length=40': task.prompt_length: must satisfy task.prompt_length < "
          "task.input_tokens; here task.prompt_length = 40, task.input_tokens = 30 (override "
          "'task.input_tokens=30')");
    CHECK(e.diagnostics()[1] ==
          "override 'pretrain.block_length=2048': pretrain.block_length: must satisfy pretrain.block_length <= "
          "pretrain.sequence_length; here pretrain.block_length = 2048, pretrain.sequence_length = 1024 "
          "(override 'pretrain.sequence_length=1024')");
  }
  setting["pretrain.block_length"] = int64_t{20};
  setting["task.prompt_length"] = int64_t{8};
  try {
    const wei::testing::TrainerFixture fixture(wei::hmm_prompt_trainer_info(), setting, 3);
    FAIL("expected a SpecError");
  } catch (const wei::SpecError& e) {
    REQUIRE(e.diagnostics().size() == 1);
    CHECK(e.diagnostics()[0] ==
          "override 'pretrain.block_length=20': pretrain.block_length: must satisfy pretrain.block_length >= "
          "task.input_tokens + 1 (the tuning input length); here pretrain.block_length = 20, task.input_tokens = "
          "30 (override 'task.input_tokens=30')");
  }
}

TEST_CASE("hmm_prompt refuses unknown report and label-draw choices", "[hmm_prompt]") {
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{{"tune.report", "last"},
                                                                                    {"task.label_draw", "numpy"}}) {
    auto setting = hmm21_trainer::short_setting();
    setting[key] = value;
    INFO(key);
    REQUIRE_THROWS_AS(wei::testing::TrainerFixture(wei::hmm_prompt_trainer_info(), setting, 3), wei::SpecError);
  }
}
