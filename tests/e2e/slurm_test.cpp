// The Slurm launcher for real: a single-node Slurm on localhost (scripts/slurm_local.sh) runs a
// small sweep as a job array. Skips with a message only where the daemons cannot start at all.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "support/process.h"
#include "support/temp_dir.h"
#include "support/text_file.h"
#include "train/collectives.h"

namespace fs = std::filesystem;

namespace {

// Stops the daemons slurm_local.sh started when the test ends, also when an assertion fails.
struct LocalSlurm {
  explicit LocalSlurm(fs::path state) : state(std::move(state)) {}
  ~LocalSlurm() {
    std::system((std::string(WEI_SOURCE_DIR) + "/scripts/slurm_local.sh stop " + state.string()).c_str());
  }
  fs::path state;
};

}  // namespace

TEST_CASE("a sweep submitted to Slurm runs every point as an array task, and srun -n 2 runs one data-parallel run",
          "[e2e][slurm]") {
  wei::testing::TempDir tmp;
  const fs::path state = tmp.path() / "slurm-state";
  const std::string start = std::string(WEI_SOURCE_DIR) + "/scripts/slurm_local.sh start " + state.string() +
                            " > " + (tmp.path() / "slurm-start.log").string() + " 2>&1";
  const LocalSlurm slurm(state);  // before start: a half-started cluster is stopped too
  if (std::system(start.c_str()) != 0) {
    WARN("skipped: a local Slurm cannot start on this machine: "
         << wei::testing::read_text(tmp.path() / "slurm-start.log"));
    return;
  }
  setenv("SLURM_CONF", (state / "slurm.conf").c_str(), 1);
  const std::string gd = std::string(WEI_SOURCE_DIR) + "/configs/label_noise/gd.yaml";
  const auto submitted = wei::testing::run_wei(
      {"sweep", gd, "seed=0,1,2", "optim.steps=2000", "log_every=500", "--launcher", "slurm", "--slurm-cpus", "1",
       "--slurm-time", "00:10:00", "--out", "sl"},
      tmp.path());
  INFO(submitted.err);
  REQUIRE(submitted.exit_code == 0);
  const std::string script = wei::testing::read_text(tmp.path() / "sl" / "slurm" / "sweep.sbatch");
  CHECK_THAT(script, Catch::Contains("#SBATCH --array=0-2\n") && Catch::Contains("#SBATCH --cpus-per-task=1\n") &&
                         Catch::Contains("--index \"$SLURM_ARRAY_TASK_ID\""));

  std::vector<std::string> status;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(180);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(tmp.path() / "sl" / "sweep.json");
    status.clear();
    const nlohmann::json plan = nlohmann::json::parse(in);
    for (const auto& p : plan["points"]) status.push_back(p["status"]);
    if (status == std::vector<std::string>(3, "ok")) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  CHECK(status == std::vector<std::string>(3, "ok"));
  for (const char* point : {"seed=0", "seed=1", "seed=2"}) {
    std::ifstream in(tmp.path() / "sl" / point / "metrics.json");
    REQUIRE(in.good());
    CHECK(nlohmann::json::parse(in)["status"] == "ok");
  }

  // One run over two Slurm tasks: the ranks find each other from Slurm's variables alone.
  if (wei::collective_backend_for(torch::Device(torch::kCPU)).empty()) {
    WARN("skipped the srun round trip: this build has no Gloo backend");
    return;
  }
  const std::string srun = "cd " + tmp.path().string() + " && timeout 300 srun -n 2 " + WEI_RUN_BINARY + " run " +
                           std::string(WEI_SOURCE_DIR) + "/configs/hmm_prompt/quick_h4.yaml pretrain.steps=40 " +
                           "pretrain.log_every=20 tune.head_epochs=2 tune.prompt_epochs=1 task.train_size=500 --out dp > " +
                           (tmp.path() / "srun.log").string() + " 2>&1";
  const int srun_status = std::system(srun.c_str());
  INFO(wei::testing::read_text(tmp.path() / "srun.log"));
  REQUIRE(srun_status == 0);
  std::ifstream in(tmp.path() / "dp" / "metrics.json");
  REQUIRE(in.good());
  const nlohmann::json metrics = nlohmann::json::parse(in);
  CHECK(metrics["status"] == "ok");
  CHECK(metrics["run"]["world_size"] == 2);
  CHECK(metrics["run"]["launcher"] == "slurm");
  CHECK(metrics["run"]["backend"] == "gloo");

  // A sweep whose points each run on 2 tasks: srun starts one rank per task, and the ranks share
  // the node's cores instead of each taking all of them.
  const auto two_tasks = wei::testing::run_wei(
      {"sweep", std::string(WEI_SOURCE_DIR) + "/configs/hmm_prompt/quick_h4.yaml", "seed=0", "pretrain.steps=40",
       "pretrain.log_every=20", "tune.head_epochs=2", "tune.prompt_epochs=1", "task.train_size=500", "--launcher",
       "slurm", "--slurm-tasks", "2", "--slurm-time", "00:10:00", "--out", "st"},
      tmp.path());
  INFO(two_tasks.err);
  REQUIRE(two_tasks.exit_code == 0);
  std::string point_status, point_dir;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(180);
  while (std::chrono::steady_clock::now() < until) {
    std::ifstream plan_in(tmp.path() / "st" / "sweep.json");
    const nlohmann::json plan = nlohmann::json::parse(plan_in);
    point_status = plan["points"][0]["status"];
    point_dir = plan["points"][0]["dir"];
    if (point_status != "pending") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  REQUIRE(point_status == "ok");
  std::ifstream point_in(tmp.path() / "st" / point_dir / "metrics.json");
  const nlohmann::json point = nlohmann::json::parse(point_in);
  CHECK(point["run"]["world_size"] == 2);
  CHECK(point["run"]["launcher"] == "slurm");
  CHECK(2 * point["run"]["threads"].get<int>() <= static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
}
