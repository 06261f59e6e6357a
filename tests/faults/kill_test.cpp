// kill -9 at any moment of a run, inside any write of a checkpoint, history line or metrics.json:
// `--continue` then ends with the same metrics as the uninterrupted run.
#include <random>

#include <catch2/catch.hpp>

#include "base/stopwatch.h"
#include "faults/fault_fixture.h"
#include "support/temp_dir.h"

using namespace wei::faults;
using wei::testing::run_wei;

TEST_CASE("kill -9 inside each write of a run, then --continue, equals the uninterrupted run", "[faults]") {
  wei::testing::TempDir tmp;
  REQUIRE(run_wei(short_run("reference"), tmp.path()).exit_code == 0);
  // 5 epochs: config.yaml, the emptied history, then per epoch a checkpoint and a history line
  // (writes 4, 6, ..., 12: appends, which have no rename), then metrics.json: 13 writes.
  int killed = 0;
  for (int write = 1; write <= 13; ++write) {
    const bool append = write >= 4 && write <= 12 && write % 2 == 0;
    for (const char* point : {"partial", "before_rename", "after_rename"}) {
      if (append && std::string(point) != "partial") continue;
      const std::string where = std::to_string(write) + ":" + point;
      INFO("SIGKILL in write " << where);
      const std::string out = "k" + std::to_string(write) + point;
      const auto crashed = run_wei(short_run(out), tmp.path(), {{"WEI_INJECT_SIGKILL_IN_WRITE", where}});
      REQUIRE((crashed.exit_code == 128 + SIGKILL || crashed.exit_code == 0));
      killed += crashed.exit_code != 0;
      const auto resumed = run_wei(with(short_run(out), {"--continue"}), tmp.path());
      INFO(resumed.err);
      REQUIRE(resumed.exit_code == 0);
      CHECK(metrics_differences(tmp.path() / "reference" / "metrics.json", tmp.path() / out / "metrics.json").empty());
      CHECK(temp_files_below(tmp.path() / out) == 0);  // what the killed writer left is cleared
      CHECK(wait_for([&] { return !fs::exists(tmp.path() / out / ".wei-run.lock"); }, 1));
    }
  }
  CHECK(killed == 29);  // the seam hit every write at every point
}

TEST_CASE("kill -9 at random moments, then --continue, equals the uninterrupted run", "[faults]") {
  wei::testing::TempDir tmp;
  const wei::Stopwatch reference;
  REQUIRE(run_wei(short_run("reference", 60), tmp.path()).exit_code == 0);
  const double seconds = reference.seconds();
  std::mt19937 rng(7);
  for (int attempt = 0; attempt < 4; ++attempt) {
    const std::string out = "r" + std::to_string(attempt);
    // Kill, continue, kill again, ... until the run ends by itself.
    for (int round = 0; round < 3; ++round) {
      wei::testing::ChildProcess run(WEI_RUN_BINARY, with(short_run(out, 60), {"--continue"}), tmp.path());
      std::this_thread::sleep_for(std::chrono::duration<double>(std::uniform_real_distribution<double>(0.05, seconds)(rng)));
      run.send_signal(SIGKILL);
      run.wait();
    }
    const auto finished = run_wei(with(short_run(out, 60), {"--continue"}), tmp.path());
    INFO(finished.err);
    REQUIRE(finished.exit_code == 0);
    CHECK(metrics_differences(tmp.path() / "reference" / "metrics.json", tmp.path() / out / "metrics.json").empty());
  }
}
