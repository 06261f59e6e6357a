// configs/hmm_prompt/paper_recipe_cuda.yaml (the reference code's pretraining recipe, BERT-base on
// a GPU) as a CPU smoke test: the config as written, shrunk by overrides to tiny sizes, runs end
// to end through `wei-run run` on the CPU.
#include <catch2/catch.hpp>

#include <filesystem>

#include "support/cli_in_process.h"
#include "support/json_file.h"
#include "support/temp_dir.h"

TEST_CASE("paper_recipe_cuda.yaml at tiny sizes runs end to end on the CPU", "[hmm_prompt][configs]") {
  const std::string config = std::string(WEI_SOURCE_DIR) + "/configs/hmm_prompt/paper_recipe_cuda.yaml";
  wei::testing::TempDir tmp;
  const std::vector<std::string> shrink = {
      "device=cpu",           "model.layers=1",           "model.width=16",         "model.heads=2",
      "model.ff_width=32",    "pretrain.sequences=4",     "pretrain.sequence_length=1024",
      "pretrain.steps=4",     "pretrain.log_every=2",     "task.train_size=256",    "task.val_size=64",
      "task.test_size=128",   "tune.head_epochs=2",       "tune.prompt_epochs=1"};
  std::vector<std::string> args = {"run", config};
  args.insert(args.end(), shrink.begin(), shrink.end());
  args.insert(args.end(), {"--out", "run"});
  const auto run = wei::testing::run_cli(args, tmp.path());
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const auto metrics = wei::testing::read_json(tmp.path() / "run" / "metrics.json");
  const auto& spec = metrics["spec"];
  INFO(spec.dump());
  // What the config sets and the overrides leave alone: the reference's recipe.
  CHECK(spec["pretrain"]["block_length"] == 512);
  CHECK(spec["pretrain"]["mask_prob"] == 0.05);
  CHECK(spec["pretrain"]["batch_size"] == 8);
  CHECK(spec["pretrain"]["lr"] == 1e-5);
  CHECK(spec["pretrain"]["weight_decay"] == 0.0);
  CHECK(spec["model"]["dropout"] == 0.1);
  CHECK(spec["hmm"]["states"] == 10);
  CHECK(spec["tune"]["report"] == "best_val");
  CHECK(spec["task"]["label_draw"] == "distinct");
  const auto& final = metrics["final"];
  INFO(final.dump());
  for (const char* key : {"head_tuning_acc", "prompt_tuning_acc", "oracle_head_acc", "ideal_head_acc"}) {
    INFO(key);
    REQUIRE(final.contains(key));
    CHECK(final[key].get<double>() >= 0.0);
    CHECK(final[key].get<double>() <= 1.0);
  }
  CHECK(final["head_tuning_best_epoch"].get<int64_t>() >= 1);
}
