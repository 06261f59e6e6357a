// The determinism the README states: the same spec, seed and thread count give identical metrics
// on the CPU; a sweep's --jobs gives each worker cores/jobs threads, so its points equal standalone
// runs with that thread count; a resumed run keeps the thread count it started with.
#include <catch2/catch.hpp>

#include "results/json_diff.h"
#include "support/json_file.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using wei::testing::read_json;
using wei::testing::run_wei;

namespace {

// A small imbalanced_cifar run on the synthetic stand-in: convolutions whose kernels split work
// across torch's threads.
std::vector<std::string> cifar_run(const std::string& out, std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"run", std::string(WEI_SOURCE_DIR) + "/configs/imbalanced_cifar/cifar10_lt100_ldam_drw.yaml",
                                   "data.root=''", "data.max_per_class=32", "data.test_per_class=8", "optim.epochs=3",
                                   "optim.batch_size=16", "train.deferred_epoch=1", "--out", out};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

bool same_metrics(const fs::path& a, const fs::path& b) {
  return wei::json_diff(read_json(a / "metrics.json"), read_json(b / "metrics.json"), {}, {"run"}).empty();
}

}  // namespace

TEST_CASE("same spec, seed and thread count: identical metrics at 1 and at 2 threads", "[e2e][determinism]") {
  wei::testing::TempDir tmp;
  for (const char* threads : {"threads=1", "threads=2"}) {
    if (std::string(threads) == "threads=2" && wei::testing::run_wei({"validate", cifar_run("x")[1], threads}, tmp.path()).exit_code != 0) {
      WARN("skipped 2 threads: this machine lets the process use one core");
      continue;
    }
    INFO(threads);
    REQUIRE(run_wei(cifar_run(std::string("a") + threads, {threads}), tmp.path()).exit_code == 0);
    REQUIRE(run_wei(cifar_run(std::string("b") + threads, {threads}), tmp.path()).exit_code == 0);
    CHECK(same_metrics(tmp.path() / (std::string("a") + threads), tmp.path() / (std::string("b") + threads)));
  }
}

TEST_CASE("a --jobs 2 sweep gives each point the metrics of a standalone run at 1 thread", "[e2e][determinism]") {
  wei::testing::TempDir tmp;
  auto sweep = cifar_run("sw");
  sweep[0] = "sweep";
  sweep.insert(sweep.begin() + 2, "seed=0,1");
  sweep.insert(sweep.end(), {"--jobs", "2"});
  sweep.erase(std::find(sweep.begin(), sweep.end(), "--out"), std::find(sweep.begin(), sweep.end(), "--out") + 2);
  sweep.insert(sweep.end(), {"--out", "sw"});
  const auto swept = run_wei(sweep, tmp.path());
  INFO(swept.err);
  REQUIRE(swept.exit_code == 0);
  for (const char* seed : {"0", "1"}) {
    const std::string out = std::string("alone") + seed;
    REQUIRE(run_wei(cifar_run(out, {std::string("seed=") + seed}), tmp.path(), {{"WEI_THREADS", "1"}}).exit_code == 0);
    CHECK(read_json(tmp.path() / "sw" / (std::string("seed=") + seed) / "metrics.json")["run"]["threads"] == 1);
    CHECK(same_metrics(tmp.path() / "sw" / (std::string("seed=") + seed), tmp.path() / out));
  }
}

TEST_CASE("a resumed run keeps the thread count it started with", "[e2e][determinism]") {
  wei::testing::TempDir tmp;
  // Killed inside the checkpoint of epoch 3 (write 7), started with 2 threads, continued with 1.
  const auto killed = run_wei(cifar_run("r"), tmp.path(), {{"WEI_THREADS", "2"}, {"WEI_INJECT_SIGKILL_IN_WRITE", "7:partial"}});
  REQUIRE(killed.exit_code == 128 + 9);
  const auto resumed = run_wei(cifar_run("r", {"--continue"}), tmp.path(), {{"WEI_THREADS", "1"}});
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK_THAT(resumed.err, Catch::Contains("resuming with the 2 thread(s) the run started with, not 1"));
  CHECK(read_json(tmp.path() / "r" / "metrics.json")["run"]["threads"] == 2);
  REQUIRE(run_wei(cifar_run("whole"), tmp.path(), {{"WEI_THREADS", "2"}}).exit_code == 0);
  CHECK(same_metrics(tmp.path() / "r", tmp.path() / "whole"));
}
