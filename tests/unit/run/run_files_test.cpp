#include "run/run_files.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "train/checkpoint_file.h"
#include "support/temp_dir.h"

using nlohmann::ordered_json;

TEST_CASE("metrics are written atomically and never hold non-finite numbers", "[metrics]") {
  wei::testing::TempDir tmp;
  const wei::RunFiles files(tmp.path() / "run");
  files.create();
  ordered_json metrics{{"status", "ok"}, {"final", {{"acc", 0.5}}}};
  files.write_metrics(metrics);
  CHECK(files.recorded_status() == std::optional<std::string>("ok"));
  metrics["final"]["acc"] = std::nan("");
  CHECK_THROWS_AS(files.write_metrics(metrics), std::logic_error);
  CHECK(files.recorded_status() == std::optional<std::string>("ok"));  // the old file is intact
  for (const auto& entry : std::filesystem::directory_iterator(files.dir())) {
    CHECK(entry.path().filename().string().find(".tmp") == std::string::npos);
  }
}

TEST_CASE("history is appended line by line and can be rewritten for resume", "[metrics]") {
  wei::testing::TempDir tmp;
  const wei::RunFiles files(tmp.path());
  files.append_history({{"epoch", 1}});
  files.append_history({{"epoch", 2}});
  files.rewrite_history({ordered_json{{"epoch", 1}}});
  std::ifstream in(files.history_path());
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  CHECK(lines == std::vector<std::string>{R"({"epoch":1})"});
}

TEST_CASE("next_step: results are kept, checkpoints resumed, other leftovers started over", "[metrics]") {
  wei::testing::TempDir tmp;
  const wei::RunFiles files(tmp.path() / "run");
  CHECK(wei::next_step(files) == wei::NextStep::kFresh);
  files.create();
  CHECK(wei::next_step(files) == wei::NextStep::kFresh);  // an empty directory holds no run
  files.write_config("seed: 0\n");
  CHECK(wei::next_step(files) == wei::NextStep::kRestart);  // killed before its first checkpoint
  torch::serialize::OutputArchive empty;
  wei::write_checkpoint(files.checkpoint_path(), files.previous_checkpoint_path(), empty);
  CHECK(wei::next_step(files) == wei::NextStep::kResume);  // killed after one, no metrics.json yet
  const std::vector<std::pair<std::string, wei::NextStep>> by_status{{"interrupted", wei::NextStep::kResume},
                                                                     {"io_error", wei::NextStep::kResume},
                                                                     {"failed", wei::NextStep::kRestart},
                                                                     {"ok", wei::NextStep::kKeep},
                                                                     {"diverged", wei::NextStep::kKeep}};
  for (const auto& [status, step] : by_status) {
    INFO(status);
    files.write_metrics({{"status", status}});
    CHECK(wei::next_step(files) == step);
  }
  files.write_metrics({{"status", "interrupted"}});
  std::ofstream(files.checkpoint_path(), std::ios::app) << "x";  // no longer the bytes its checksum covers
  CHECK(wei::next_step(files) == wei::NextStep::kCorrupt);
  std::filesystem::remove(files.checkpoint_path());
  CHECK(wei::next_step(files) == wei::NextStep::kRestart);  // stopped before its first checkpoint
}
