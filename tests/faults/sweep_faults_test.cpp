// Sweeps under faults: Ctrl-C stops within seconds whatever the state of the points (those not
// started stay pending), workers die with a killed coordinator, a worker killed by a signal it did
// not ask for is "failed" (with "out of memory" where the kernel says so), never "interrupted".
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "base/stopwatch.h"
#include "faults/fault_fixture.h"
#include "support/temp_dir.h"

using namespace wei::faults;
using wei::testing::ChildProcess;
using wei::testing::read_json;
using wei::testing::run_wei;

namespace {

// A sweep of `points` seeds, each a label-noise run of `steps` steps.
std::vector<std::string> seed_sweep(int points, long steps, int jobs) {
  std::string seeds = "0";
  for (int i = 1; i < points; ++i) seeds += "," + std::to_string(i);
  return {"sweep", kQuickstart, "seed=" + seeds, "optim.steps=" + std::to_string(steps), "log_every=1000",
          "optim.lr_milestones=[]", "--jobs", std::to_string(jobs), "--out", "sw"};
}

std::vector<std::string> statuses(const fs::path& root) {
  const nlohmann::json plan = read_json(root / "sweep.json");
  std::vector<std::string> out;
  for (const auto& p : plan["points"]) out.push_back(p["status"]);
  return out;
}

// The pids of the workers that hold point directories now.
std::vector<pid_t> worker_pids(const fs::path& root) {
  std::vector<pid_t> pids;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    if (const pid_t pid = lock_holder(entry.path()); pid > 0) pids.push_back(pid);
  }
  return pids;
}

}  // namespace

TEST_CASE("Ctrl-C stops a sweep within seconds and points not started stay pending", "[faults]") {
  wei::testing::TempDir tmp;
  ChildProcess sweep(WEI_RUN_BINARY, seed_sweep(3, 3000000, 1), tmp.path());
  REQUIRE(wait_for([&] { return fs::exists(tmp.path() / "sw" / "seed=0" / "history.jsonl"); }, 20));
  const wei::Stopwatch since_signal;
  sweep.send_signal(SIGINT);
  const auto result = sweep.wait();
  const double seconds = since_signal.seconds();
  INFO(result.err);
  CHECK(result.exit_code == 130);
  CHECK(seconds < 10);
  CHECK(statuses(tmp.path() / "sw") == std::vector<std::string>{"interrupted", "pending", "pending"});
}

TEST_CASE("kill -9 of a sweep coordinator takes its workers with it and a rerun resumes", "[faults]") {
  wei::testing::TempDir tmp;
  // Runs of a few seconds each, so that both workers are seen holding their points at once (at
  // 40,000 steps a run took 0.6 s and one could end before the other had started).
  const auto args = seed_sweep(2, 400000, 2);
  ChildProcess sweep(WEI_RUN_BINARY, args, tmp.path());
  std::vector<pid_t> workers;
  REQUIRE(wait_for(
      [&] {
        workers = worker_pids(tmp.path() / "sw");
        return workers.size() == 2;
      },
      20));
  sweep.send_signal(SIGKILL);
  sweep.wait();
  CHECK(wait_for([&] { return !process_alive(workers[0]) && !process_alive(workers[1]); }, 10));
  const auto rerun = run_wei(args, tmp.path());
  INFO(rerun.err);
  CHECK(rerun.exit_code == 0);
  CHECK(statuses(tmp.path() / "sw") == std::vector<std::string>{"ok", "ok"});
}

TEST_CASE("a worker killed by a signal it did not ask for is failed, not interrupted", "[faults]") {
  wei::testing::TempDir tmp;
  // Point 0 runs long enough to be killed; point 1 is short.
  const std::vector<std::string> args = {"sweep", kQuickstart, "seed=0,1", "optim.steps=3000000,2000",
                                         "log_every=1000", "--mode", "zip", "--out", "sw"};
  ChildProcess sweep(WEI_RUN_BINARY, args, tmp.path());
  pid_t worker = 0;
  const fs::path point0 = tmp.path() / "sw" / "seed=0,optim.steps=3000000";
  REQUIRE(wait_for([&] { return (worker = lock_holder(point0)) > 0; }, 20));
  REQUIRE(wait_for([&] { return fs::exists(point0 / "checkpoints" / "last.pt"); }, 20));
  ::kill(worker, SIGKILL);
  const auto result = sweep.wait();
  INFO(result.err);
  CHECK(result.exit_code == 1);
  const nlohmann::json plan = read_json(tmp.path() / "sw" / "sweep.json");
  const auto point = plan["points"][0];
  CHECK(point["status"] == "failed");
  CHECK_THAT(point["error"].get<std::string>(), Catch::Contains("killed by SIGKILL"));
}

TEST_CASE("an out-of-memory worker is failed with the kernel's reason", "[faults]") {
  // A memory cgroup of 600 MB (v1 or v2) holding the sweep; its worker touches 2 GB.
  const fs::path group = fs::exists("/sys/fs/cgroup/cgroup.controllers") ? fs::path("/sys/fs/cgroup/wei-faults-oom")
                                                                          : fs::path("/sys/fs/cgroup/memory/wei-faults-oom");
  std::error_code ec;
  fs::remove(group, ec);
  if (::geteuid() != 0 || !fs::create_directory(group, ec)) {
    WARN("skipped: no memory cgroup can be made here (" << group.string() << ")");
    return;
  }
  struct RemoveGroup {
    fs::path at;
    ~RemoveGroup() {
      std::error_code e;
      fs::remove(at, e);
    }
  } remove_group{group};
  const bool v2 = group.parent_path() == "/sys/fs/cgroup";
  overwrite_file(group / (v2 ? "memory.max" : "memory.limit_in_bytes"), "600000000");
  if (!v2 && fs::exists(group / "memory.memsw.limit_in_bytes")) overwrite_file(group / "memory.memsw.limit_in_bytes", "600000000");
  if (v2 && fs::exists(group / "memory.swap.max")) overwrite_file(group / "memory.swap.max", "0");

  wei::testing::TempDir tmp;
  const std::string sweep = std::string(WEI_RUN_BINARY) + " sweep " + kQuickstart +
                            " seed=0,1 optim.steps=2000 log_every=1000 --out sw";
  // The shell moves itself into the cgroup, then becomes the sweep (whose workers inherit it).
  const std::string script = "echo $$ > " + (group / "cgroup.procs").string() + " && exec " + sweep;
  ChildProcess shell("/bin/sh", {"-c", script}, tmp.path(), {{"WEI_INJECT_ALLOCATE_BYTES", "2000000000"}});
  const auto result = shell.wait();
  INFO(result.err);
  CHECK(result.exit_code == 1);
  const nlohmann::json plan = read_json(tmp.path() / "sw" / "sweep.json");
  for (const auto& point : plan["points"]) {
    CHECK(point["status"] == "failed");
    CHECK_THAT(point["error"].get<std::string>(), Catch::Contains("SIGKILL") && Catch::Contains("out of memory"));
  }
}

TEST_CASE("a sweep's workers run the build the sweep started with, even once its file is gone", "[faults]") {
  // Rebuilding wei-run during a long sweep replaces the file; the points still to come must neither
  // fail to start nor run the new build.
  wei::testing::TempDir tmp;
  const fs::path copy = tmp.path() / "wei-run-being-rebuilt";
  fs::copy_file(WEI_RUN_BINARY, copy);
  ChildProcess sweep(copy.string(), seed_sweep(2, 400000, 1), tmp.path());
  REQUIRE(wait_for([&] { return fs::exists(tmp.path() / "sw" / "seed=0" / "history.jsonl"); }, 20));
  fs::remove(copy);  // point 0 is running; point 1 starts after it ends
  const auto result = sweep.wait();
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK(statuses(tmp.path() / "sw") == std::vector<std::string>{"ok", "ok"});
}
