// The trainer driven by the real runner, in-process, with a registry holding only this trainer
// (the builtin list is the lead's): metrics.json carries the data, final and best blocks.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "train/registry.h"
#include "run/runner.h"
#include "trainers/imbalanced_cifar/imbalanced_cifar_trainer.h"
#include "trainers/max_margin/max_margin_trainer.h"
#include "unit/data/cifar_test_data.h"

TEST_CASE("runner writes the imbalanced_cifar metrics.json", "[imbalanced_cifar][runner]") {
  namespace fs = std::filesystem;
  wei::TrainerRegistry registry;
  registry.add(wei::imbalanced_cifar_trainer_info());
  const auto dir = wei::testing::fresh_temp_dir("runner");
  wei::RunOptions options;
  options.spec_path = std::string(WEI_SOURCE_DIR) + "/configs/imbalanced_cifar/cifar10_lt100_ldam_drw.yaml";
  options.overrides = {"data.root=''", "data.max_per_class=40", "data.test_per_class=10", "optim.epochs=2",
                       "optim.batch_size=32", "train.deferred_epoch=1", "threads=1"};
  options.out_dir = (dir / "run").string();
  auto result = wei::run_experiment(options, registry);
  REQUIRE(result.status == wei::RunStatus::kOk);
  std::ifstream in(dir / "run" / "metrics.json");
  auto metrics = nlohmann::json::parse(in);
  CHECK(metrics["data"]["source"] == "synthetic");
  CHECK(metrics["data"]["class_counts"].size() == 10);
  CHECK(metrics["history"].size() == 2);
  CHECK(metrics["final"]["test_error"].is_number());
  CHECK(metrics["final"]["margins"].size() == 10);
  CHECK(metrics["best"]["test_error"].get<double>() <= metrics["final"]["test_error"].get<double>());
  CHECK(metrics["history"][1]["class_weights"][9].get<double>() > 1.0);
  fs::remove_all(dir);
}

TEST_CASE("the runner stops at a trainer's own stopping criterion", "[run]") {
  namespace fs = std::filesystem;
  wei::TrainerRegistry registry;
  registry.add(wei::max_margin_trainer_info());
  const auto dir = wei::testing::fresh_temp_dir("runner_done_early");
  const std::string spec = (dir / "sphere.yaml").string();
  std::ofstream(spec) << "trainer: max_margin\nsetting: hypersphere\nthreads: 1\nhypersphere:\n  dim: 10\n"
                         "  width: 64\n  n_train: 128\n  n_test: 256\n  batch_size: 8\n  lr: 0.5\n  margin: 1.0\n"
                         "  threshold: 0.05\n  max_passes: 60\n  passes_per_row: 1\n";
  wei::RunOptions options;
  options.spec_path = spec;
  options.out_dir = (dir / "run").string();
  REQUIRE(wei::run_experiment(options, registry).status == wei::RunStatus::kOk);
  std::ifstream in(dir / "run" / "metrics.json");
  const auto metrics = nlohmann::json::parse(in);
  const int64_t passes = metrics["final"]["passes"];
  CHECK(passes < 60);
  CHECK(metrics["history"].size() == static_cast<size_t>(passes));
  CHECK(metrics["final"]["reached_margin"] == true);
  fs::remove_all(dir);
}
