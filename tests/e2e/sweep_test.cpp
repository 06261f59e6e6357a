// End-to-end tests of `wei-run sweep`, `summarize`, `plot` and `diff` on sweep roots.
#include <sched.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <thread>

#include "support/json_file.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using wei::testing::read_json;
using wei::testing::run_wei;
using wei::testing::TempDir;

namespace {

const std::string kGd = std::string(WEI_SOURCE_DIR) + "/configs/label_noise/gd.yaml";

std::vector<std::string> statuses(const fs::path& root) {
  std::vector<std::string> out;
  const nlohmann::json plan = read_json(root / "sweep.json");
  for (const auto& p : plan["points"]) out.push_back(p["status"]);
  return out;
}

}  // namespace

TEST_CASE("a grid sweep runs every point in parallel workers and skips finished points on rerun", "[e2e][sweep]") {
  TempDir tmp;
  const std::vector<std::string> args = {"sweep", kGd, "optim.lr=0.01,0.02", "seed=0,1", "optim.steps=2000",
                                         "log_every=500", "--out", "sw", "--jobs", "2"};
  const auto first = run_wei(args, tmp.path());
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  const nlohmann::json plan = read_json(tmp.path() / "sw" / "sweep.json");
  REQUIRE(plan["points"].size() == 4);
  CHECK(plan["mode"] == "grid");
  CHECK(plan["points"][3]["dir"] == "optim.lr=0.02,seed=1");
  CHECK(plan["points"][3]["overrides"] ==
        nlohmann::json::array({"optim.steps=2000", "log_every=500", "optim.lr=0.02", "seed=1"}));
  CHECK(statuses(tmp.path() / "sw") == std::vector<std::string>(4, "ok"));
  const nlohmann::json point = read_json(tmp.path() / "sw" / "optim.lr=0.02,seed=1" / "metrics.json");
  CHECK(point["spec"]["optim"]["lr"] == 0.02);
  CHECK(point["spec"]["seed"] == 1);
  CHECK(point["spec"]["threads"] == 0);  // the worker's share of cores is not baked into the spec
  cpu_set_t mask;
  REQUIRE(sched_getaffinity(0, sizeof(mask), &mask) == 0);
  CHECK(point["run"]["threads"] == std::max(1, CPU_COUNT(&mask) / 2));  // 2 jobs share the cores

  const auto started = point["run"]["started_at"];
  const auto again = run_wei(args, tmp.path());
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.err, Catch::Contains("4 point(s), 0 to run, 4 already finished"));
  CHECK(read_json(tmp.path() / "sw" / "optim.lr=0.02,seed=1" / "metrics.json")["run"]["started_at"] == started);

  // The same sweep in another root compares equal point by point; summarize and plot read it.
  REQUIRE(run_wei({"sweep", kGd, "optim.lr=0.01,0.02", "seed=0,1", "optim.steps=2000", "log_every=500", "--out", "sw2"},
                  tmp.path()).exit_code == 0);
  const auto diff = run_wei({"diff", "sw", "sw2"}, tmp.path());
  CHECK(diff.exit_code == 0);
  CHECK(diff.out == "4 run(s), all equal (ignoring the run block)\n");
  const auto summary = run_wei({"summarize", "sw", "--metrics", "final.test_error", "--layout", "full"}, tmp.path());
  CHECK(summary.exit_code == 0);
  CHECK_THAT(summary.out, Catch::Contains("| spec.optim.lr | final.test_error (mean ± std [95% CI], n) |"));
  CHECK_THAT(summary.out, Catch::Contains("| 0.01 | ") && Catch::Contains(", n=2 |"));
  const auto compact = run_wei({"summarize", "sw", "--metrics", "final.test_error"}, tmp.path());
  CHECK(compact.exit_code == 0);
  CHECK_THAT(compact.out, Catch::StartsWith("| optim.lr |   n |") && Catch::Contains("test_error |"));
  const auto csv = run_wei({"summarize", "sw", "--by", "spec.optim.lr", "--format", "csv"}, tmp.path());
  CHECK_THAT(csv.out, Catch::StartsWith("spec.optim.lr,final.test_error_n,"));

  const auto plot = run_wei({"plot", "sw", "--y", "test_error", "--out", "plots/curves"}, tmp.path());
  INFO(plot.err);
  REQUIRE(plot.exit_code == 0);
  CHECK(fs::file_size(tmp.path() / "plots" / "curves.png") > 1000);
  CHECK(fs::file_size(tmp.path() / "plots" / "curves.svg") > 1000);
  const auto vs = run_wei({"plot", "sw", "--x", "spec.optim.lr", "--y", "final.test_error", "--by", "spec.method",
                           "--out", "plots/vs_lr"}, tmp.path());
  CHECK(vs.exit_code == 0);
  CHECK(fs::file_size(tmp.path() / "plots" / "vs_lr.png") > 1000);
}

TEST_CASE("one invalid point fails the whole sweep before anything is written", "[e2e][sweep]") {
  TempDir tmp;
  const auto r = run_wei({"sweep", kGd, "optim.lr=0.01,-1", "--out", "bad"}, tmp.path());
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("point optim.lr=-1: override 'optim.lr=-1': optim.lr: invalid value -1.0; must be > 0"));
  CHECK_FALSE(fs::exists(tmp.path() / "bad"));
  CHECK(run_wei({"sweep", kGd, "optim.lr_rate=1,2", "--out", "bad"}, tmp.path()).exit_code == 2);
  CHECK(run_wei({"sweep", kGd, "seed=0,1", "optim.lr=1,2,3", "--mode", "zip", "--out", "bad"}, tmp.path()).exit_code == 2);
  CHECK_FALSE(fs::exists(tmp.path() / "bad"));
}

TEST_CASE("a diverging point is recorded, the others go on, the exit code says so", "[e2e][sweep]") {
  TempDir tmp;
  const auto r = run_wei({"sweep", kGd, "optim.lr=0.5,0.01", "optim.steps=2000", "log_every=500", "--out", "mixed"},
                         tmp.path());
  CHECK(r.exit_code == 1);
  CHECK(statuses(tmp.path() / "mixed") == std::vector<std::string>{"diverged", "ok"});
}

TEST_CASE("a rerun may add points after the existing ones but not change or drop them", "[e2e][sweep]") {
  TempDir tmp;
  const auto sweep = [&](const std::string& seeds, const std::string& steps) {
    return run_wei({"sweep", kGd, "seed=" + seeds, "optim.steps=" + steps, "log_every=500", "--out", "grow"}, tmp.path());
  };
  REQUIRE(sweep("0,1", "1000").exit_code == 0);
  const auto started = read_json(tmp.path() / "grow" / "seed=1" / "metrics.json")["run"]["started_at"];

  const auto grown = sweep("range(0,4)", "1000");
  INFO(grown.err);
  REQUIRE(grown.exit_code == 0);
  CHECK_THAT(grown.err, Catch::Contains("4 point(s), 2 to run, 2 already finished"));
  CHECK(statuses(tmp.path() / "grow") == std::vector<std::string>(4, "ok"));
  CHECK(read_json(tmp.path() / "grow" / "seed=1" / "metrics.json")["run"]["started_at"] == started);
  CHECK(read_json(tmp.path() / "grow" / "seed=3" / "metrics.json")["spec"]["seed"] == 3);

  // Fewer points, points in another order, or other overrides would leave sweep.json describing
  // directories it no longer lists, or indices naming other points: refused, nothing run.
  for (const auto& [seeds, steps] : std::vector<std::pair<std::string, std::string>>{
           {"0,1", "1000"}, {"1,0,2,3", "1000"}, {"range(0,5)", "2000"}}) {
    const auto refused = sweep(seeds, steps);
    INFO(seeds << " " << steps);
    CHECK(refused.exit_code == 2);
    CHECK_THAT(refused.err, Catch::Contains("holds another sweep"));
  }
  CHECK(read_json(tmp.path() / "grow" / "sweep.json")["points"].size() == 4);
  CHECK_FALSE(fs::exists(tmp.path() / "grow" / "seed=4"));
}

TEST_CASE("Ctrl-C stops the workers with checkpoints and the rerun resumes them", "[e2e][sweep]") {
  TempDir tmp;
  const std::vector<std::string> args = {"sweep", kGd, "seed=0,1", "optim.steps=1000000", "log_every=10000",
                                         "--out", "long", "--jobs", "2"};
  wei::testing::ChildProcess child(WEI_RUN_BINARY, args, tmp.path());
  const fs::path history = tmp.path() / "long" / "seed=1" / "history.jsonl";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while ((!fs::exists(history) || fs::file_size(history) < 200) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  child.send_signal(SIGINT);
  const auto stopped = child.wait();
  INFO(stopped.err);
  REQUIRE(stopped.exit_code == 130);
  CHECK(statuses(tmp.path() / "long") == std::vector<std::string>(2, "interrupted"));
  const auto resumed = run_wei(args, tmp.path());
  INFO(resumed.err);
  CHECK(resumed.exit_code == 0);
  CHECK(statuses(tmp.path() / "long") == std::vector<std::string>(2, "ok"));
  CHECK(read_json(tmp.path() / "long" / "seed=1" / "metrics.json")["run"]["resumed_from_epoch"].get<int>() > 0);
}

TEST_CASE("a method sweep over one base spec runs, warns of the keys a method ignores, and summarizes by method",
          "[e2e][sweep]") {
  TempDir tmp;
  const std::string quickstart = std::string(WEI_SOURCE_DIR) + "/configs/quickstart.yaml";
  const std::vector<std::string> args = {"sweep", quickstart, "method=gd,label_noise", "seed=0,1",
                                         "optim.steps=2000", "optim.lr_milestones=[]", "log_every=500",
                                         "--out", "sw", "--jobs", "2"};
  const auto swept = run_wei(args, tmp.path());
  INFO(swept.err);
  REQUIRE(swept.exit_code == 0);
  CHECK(statuses(tmp.path() / "sw") == std::vector<std::string>(4, "ok"));
  // gd reads no noise.delta: the point records the warning; label_noise reads it and has none.
  const nlohmann::json gd = read_json(tmp.path() / "sw" / "method=gd,seed=0" / "metrics.json");
  REQUIRE(gd["spec_warnings"].size() == 1);
  CHECK_THAT(gd["spec_warnings"][0].get<std::string>(),
             Catch::Contains("noise.delta: ignored, not read when method is gd"));
  CHECK_FALSE(gd["spec"].contains("noise"));
  CHECK_FALSE(read_json(tmp.path() / "sw" / "method=label_noise,seed=0" / "metrics.json").contains("spec_warnings"));
  const auto log = run_wei({"summarize", "sw", "--format", "csv"}, tmp.path());
  INFO(log.err);
  REQUIRE(log.exit_code == 0);
  CHECK_THAT(log.out, Catch::StartsWith("spec.method,"));
  CHECK_THAT(log.out, Catch::Contains("\ngd,") && Catch::Contains("\nlabel_noise,"));

  // --strict refuses the same sweep before anything runs, naming the key.
  std::vector<std::string> strict = args;
  strict[strict.size() - 3] = "sw_strict";
  strict.push_back("--strict");
  const auto refused = run_wei(strict, tmp.path());
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains("noise.delta: not read when method is gd"));
  CHECK_FALSE(fs::exists(tmp.path() / "sw_strict" / "sweep.json"));
}
