// A disk that fills up: every result file is written durably, the previous good file stays, the
// run ends with status io_error and exit code 3, and --continue finishes it as if nothing happened.
#include <sys/mount.h>

#include <catch2/catch.hpp>

#include "faults/fault_fixture.h"
#include "train/checkpoint_file.h"
#include "support/temp_dir.h"

using namespace wei::faults;
using wei::testing::run_wei;

TEST_CASE("a disk that fills up at any byte costs at most the epoch in progress", "[faults]") {
  wei::testing::TempDir tmp;
  REQUIRE(run_wei(short_run("reference"), tmp.path()).exit_code == 0);
  // Budgets from inside config.yaml to inside the final metrics.json (about 75 KB in all).
  for (const long budget : {100L, 400L, 9000L, 25000L, 52000L, 69000L, 74000L}) {
    INFO("ENOSPC after " << budget << " bytes");
    const std::string out = "full-" + std::to_string(budget);
    const auto full = run_wei(short_run(out), tmp.path(), {{"WEI_INJECT_ENOSPC_AFTER", std::to_string(budget)}});
    INFO(full.err);
    REQUIRE((full.exit_code == 3 || full.exit_code == 0));
    if (full.exit_code == 3) {
      CHECK_THAT(full.err, Catch::Contains("No space left on device (ENOSPC)") && Catch::Contains("free there"));
      const auto metrics = tmp.path() / out / "metrics.json";
      if (fs::exists(metrics)) CHECK(wei::testing::read_json(metrics)["status"] == "io_error");
    }
    if (fs::exists(tmp.path() / out)) {
      CHECK(temp_files_below(tmp.path() / out) == 0);
      const auto last = tmp.path() / out / "checkpoints" / "last.pt";
      if (fs::exists(last)) CHECK(wei::checkpoint_problem(last).empty());
    }
    const auto resumed = run_wei(with(short_run(out), {"--continue"}), tmp.path());
    INFO(resumed.err);
    REQUIRE(resumed.exit_code == 0);
    CHECK(metrics_differences(tmp.path() / "reference" / "metrics.json", tmp.path() / out / "metrics.json").empty());
  }
}

TEST_CASE("a full filesystem (tmpfs) refuses the run's writes and keeps the checkpoint", "[faults]") {
  if (::geteuid() != 0) {
    WARN("skipped: mounting a small tmpfs needs root (the injected ENOSPC case covers the same code)");
    return;
  }
  wei::testing::TempDir tmp;
  const fs::path disk = tmp.path() / "disk";
  fs::create_directories(disk);
  if (::mount("tmpfs", disk.c_str(), "tmpfs", 0, "size=40k") != 0) {
    WARN("skipped: tmpfs cannot be mounted here: " << std::strerror(errno));
    return;
  }
  struct Unmount {
    fs::path at;
    ~Unmount() { ::umount2(at.c_str(), MNT_DETACH); }
  } unmount{disk};
  REQUIRE(run_wei(short_run("reference"), tmp.path()).exit_code == 0);
  const auto full = run_wei(short_run("disk/run"), tmp.path());
  INFO(full.err);
  CHECK(full.exit_code == 3);
  CHECK_THAT(full.err, Catch::Contains("disk/run") && Catch::Contains("No space left on device"));
  CHECK(temp_files_below(disk / "run") == 0);
  REQUIRE(::mount("tmpfs", disk.c_str(), "tmpfs", MS_REMOUNT, "size=16m") == 0);
  const auto resumed = run_wei(with(short_run("disk/run"), {"--continue"}), tmp.path());
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK(metrics_differences(tmp.path() / "reference" / "metrics.json", disk / "run" / "metrics.json").empty());
}

TEST_CASE("a sweep whose sweep.json cannot be written stops its workers and says so", "[faults]") {
  wei::testing::TempDir tmp;
  const auto args = with(short_run("unused"), {});
  const std::vector<std::string> sweep = {"sweep", kQuickstart, "seed=0,1,2", "optim.steps=5000", "log_every=1000",
                                          "threads=1", "--out", "sw"};
  const auto failed = run_wei(sweep, tmp.path(), {{"WEI_INJECT_ENOSPC_AFTER", "1500"}});
  INFO(failed.err);
  CHECK(failed.exit_code == 3);
  CHECK_THAT(failed.err, Catch::Contains("No space left on device"));
  const auto again = run_wei(sweep, tmp.path());
  INFO(again.err);
  CHECK(again.exit_code == 0);
  const nlohmann::json plan = wei::testing::read_json(tmp.path() / "sw" / "sweep.json");
  for (const auto& point : plan["points"]) {
    CHECK(point["status"] == "ok");
  }
}
