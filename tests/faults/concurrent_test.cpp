// One command per run directory and per sweep root: a second one exits at once with exit code 4,
// naming the holder, and writes nothing; the lock dies with its holder, kill -9 included.
#include <catch2/catch.hpp>

#include "faults/fault_fixture.h"
#include "support/temp_dir.h"

using namespace wei::faults;
using wei::testing::ChildProcess;
using wei::testing::run_wei;

TEST_CASE("a second command on a run directory in use exits 4 and writes nothing", "[faults]") {
  wei::testing::TempDir tmp;
  ChildProcess first(WEI_RUN_BINARY, short_run("busy", 600), tmp.path());
  REQUIRE(wait_for([&] { return fs::exists(tmp.path() / "busy" / "history.jsonl"); }, 20));
  // Stopped, it keeps the directory locked however long the machine takes to run the commands
  // below (a 2.5 s run could end first on a loaded machine).
  first.send_signal(SIGSTOP);
  const std::string history = file_bytes(tmp.path() / "busy" / "config.yaml");
  for (const std::vector<std::string>& extra : std::vector<std::vector<std::string>>{{}, {"--continue"}, {"--resume"},
                                                                                      {"--force"}}) {
    const auto second = run_wei(with(short_run("busy", 600), extra), tmp.path());
    INFO(second.err);
    CHECK(second.exit_code == 4);
    CHECK_THAT(second.err, Catch::Contains("busy is in use by pid " + std::to_string(first.pid())));
  }
  CHECK(file_bytes(tmp.path() / "busy" / "config.yaml") == history);
  CHECK(!first.finished());

  // kill -9 (of a stopped process too) frees the directory: the next command needs no cleanup.
  first.send_signal(SIGKILL);
  first.wait();
  const auto resumed = run_wei(with(short_run("busy", 600), {"--continue"}), tmp.path());
  INFO(resumed.err);
  CHECK(resumed.exit_code == 0);
  CHECK(wei::testing::read_json(tmp.path() / "busy" / "metrics.json")["status"] == "ok");
}

TEST_CASE("two sweeps on one root: the second exits 4", "[faults]") {
  wei::testing::TempDir tmp;
  const std::vector<std::string> sweep = {"sweep", kQuickstart, "seed=0,1", "optim.steps=2000000", "log_every=1000",
                                          "threads=1", "--out", "root"};
  ChildProcess first(WEI_RUN_BINARY, sweep, tmp.path());
  REQUIRE(wait_for([&] { return fs::exists(tmp.path() / "root" / "sweep.json"); }, 20));
  const auto second = run_wei(sweep, tmp.path());
  INFO(second.err);
  CHECK(second.exit_code == 4);
  CHECK_THAT(second.err, Catch::Contains("root is in use by pid " + std::to_string(first.pid())));
  first.send_signal(SIGINT);
  CHECK(first.wait().exit_code == 130);
}
