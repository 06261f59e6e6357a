// Data-parallel runs of the real binary on 2 ranks over Gloo on localhost (`--nproc 2`, and the
// torchrun variables): results against the one-process run, SIGINT and resume, a killed rank,
// refusals. The srun round trip is in slurm_test.cpp.
#include <signal.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "base/stopwatch.h"
#include "faults/fault_fixture.h"
#include "results/json_diff.h"
#include "support/json_file.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "support/text_file.h"
#include "train/collectives.h"

namespace fs = std::filesystem;
using wei::testing::read_json;
using wei::testing::run_wei;

namespace {

bool gloo_built() {
  if (!wei::collective_backend_for(torch::Device(torch::kCPU)).empty()) return true;
  WARN("skipped: this build has no Gloo backend (libgloo-dev was missing when it was configured)");
  return false;
}

// hmm_prompt's pretraining, head and prompt tuning at a tiny size: no BatchNorm and no dropout, so
// 2 ranks must follow 1 to rounding.
std::vector<std::string> dp_hmm_run(const std::string& out, std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"run", std::string(WEI_SOURCE_DIR) + "/configs/hmm_prompt/quick_h4.yaml",
                                   "pretrain.steps=40", "pretrain.log_every=20", "tune.head_epochs=2",
                                   "tune.prompt_epochs=1", "task.train_size=500", "--out", out};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// imbalanced_cifar (ResNet-32, BatchNorm) on the synthetic stand-in, long enough to interrupt.
std::vector<std::string> dp_cifar_run(const std::string& out, std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"run", std::string(WEI_SOURCE_DIR) + "/configs/imbalanced_cifar/cifar10_lt100_ldam_drw.yaml",
                                   "data.root=''", "data.max_per_class=300", "data.test_per_class=8", "optim.epochs=12",
                                   "optim.batch_size=16", "train.deferred_epoch=3", "--out", out};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// The pid of the launcher's worker with RANK=`rank`, 0 until it exists.
pid_t worker_of(pid_t launcher, int rank) {
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string pid, comm, state;
    long ppid = 0;
    if (!(stat >> pid >> comm >> state >> ppid) || ppid != launcher) continue;
    std::ifstream environ(entry.path() / "environ", std::ios::binary);
    std::string var;
    while (std::getline(environ, var, '\0')) {
      if (var == "RANK=" + std::to_string(rank)) return static_cast<pid_t>(std::stol(name));
    }
  }
  return 0;
}

}  // namespace

TEST_CASE("2 ranks without BatchNorm end with the 1-rank metrics within 1e-5 relative", "[e2e][data_parallel]") {
  if (!gloo_built()) return;
  wei::testing::TempDir tmp;
  REQUIRE(run_wei(dp_hmm_run("one"), tmp.path()).exit_code == 0);
  const auto two = run_wei(dp_hmm_run("two", {"--nproc", "2"}), tmp.path());
  INFO(two.err);
  REQUIRE(two.exit_code == 0);
  CHECK_THAT(two.err, Catch::Contains("[rank 1]") && Catch::Contains("data-parallel: rank 0 of 2, gloo backend"));
  const auto one_m = read_json(tmp.path() / "one" / "metrics.json");
  const auto two_m = read_json(tmp.path() / "two" / "metrics.json");
  CHECK(two_m["status"] == "ok");
  CHECK(two_m["run"]["world_size"] == 2);
  CHECK(two_m["run"]["backend"] == "gloo");
  CHECK(one_m["run"]["world_size"] == 1);
  CHECK(one_m["run"]["backend"].is_null());
  CHECK(two_m["run"]["epoch_timing"][0].contains("allreduce_seconds"));
  // Everything outside the run block, numbers within 1e-5 relative.
  const auto differences = wei::json_diff(one_m, two_m, {1e-5, 0.0}, {"run"});
  std::string listed;
  for (const auto& d : differences) listed += wei::describe(d) + "\n";
  INFO(listed);
  CHECK(differences.empty());
  // Rank 0 alone writes the run directory.
  CHECK(wei::testing::read_text(tmp.path() / "two" / "log.txt").find("rank 0 of 2") != std::string::npos);
}

TEST_CASE("SIGINT to the launcher stops both ranks (exit 130), and the run resumes under 2 ranks", "[e2e][data_parallel]") {
  if (!gloo_built()) return;
  wei::testing::TempDir tmp;
  const fs::path dir = tmp.path() / "cifar";
  wei::testing::ChildProcess launcher(WEI_RUN_BINARY, dp_cifar_run(dir.string(), {"--nproc", "2"}), tmp.path());
  // Interrupt once the first epoch is saved.
  REQUIRE(wei::faults::wait_for([&] { return fs::exists(dir / "history.jsonl") && fs::file_size(dir / "history.jsonl") > 0; }, 240));
  launcher.send_signal(SIGINT);
  const auto stopped = launcher.wait();
  INFO(stopped.err);
  CHECK(stopped.exit_code == 130);
  const auto interrupted = read_json(dir / "metrics.json");
  REQUIRE(interrupted["status"] == "interrupted");
  const int64_t done = static_cast<int64_t>(interrupted["history"].size());
  CHECK(done >= 1);
  CHECK(done < 12);
  CHECK_THAT(interrupted["error"].get<std::string>(), Catch::Contains("--continue --nproc 2"));

  const auto resumed = run_wei(dp_cifar_run(dir.string(), {"--nproc", "2", "--continue"}), tmp.path());
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK_THAT(resumed.err, Catch::Contains("[rank 1] info resuming"));
  const auto metrics = read_json(dir / "metrics.json");
  CHECK(metrics["status"] == "ok");
  CHECK(metrics["history"].size() == 12);
  CHECK(metrics["run"]["resumed_from_epoch"] == done);
  CHECK(metrics["run"]["world_size"] == 2);
}

TEST_CASE("kill -9 of one rank makes the other fail within the timeout", "[e2e][data_parallel]") {
  if (!gloo_built()) return;
  wei::testing::TempDir tmp;
  const fs::path dir = tmp.path() / "killed";
  wei::testing::ChildProcess launcher(WEI_RUN_BINARY,
                                      dp_cifar_run(dir.string(), {"--nproc", "2", "--collective-timeout", "20"}),
                                      tmp.path());
  REQUIRE(wei::faults::wait_for([&] { return fs::exists(dir / "history.jsonl") && fs::file_size(dir / "history.jsonl") > 0; }, 240));
  const pid_t rank1 = worker_of(launcher.pid(), 1);
  REQUIRE(rank1 > 0);
  const wei::Stopwatch since_kill;
  REQUIRE(::kill(rank1, SIGKILL) == 0);
  REQUIRE(wei::faults::wait_for([&] { return launcher.finished(); }, 60));
  const double seconds = since_kill.seconds();
  const auto result = launcher.wait();
  INFO(result.err);
  CHECK(result.exit_code == 1);
  CHECK(seconds < 20 + 10);
  CHECK_THAT(result.err, Catch::Contains("worker 1 was killed by signal 9"));
  const auto metrics = read_json(dir / "metrics.json");
  CHECK(metrics["status"] == "failed");
  CHECK_THAT(metrics["error"].get<std::string>(), Catch::Contains("data-parallel rank 0") && Catch::Contains("failed"));
  // What was saved survives: the run continues from its checkpoint.
  CHECK(fs::exists(dir / "checkpoints" / "last.pt"));
}

TEST_CASE("closed-form trainers and bad world variables are refused before anything runs", "[e2e][data_parallel]") {
  wei::testing::TempDir tmp;
  const std::string quickstart = std::string(WEI_SOURCE_DIR) + "/configs/quickstart.yaml";
  const auto refused = run_wei({"run", quickstart, "--nproc", "2", "--out", "q"}, tmp.path());
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains("trainer label_noise_sgd with this spec runs in one process"));
  CHECK_FALSE(fs::exists(tmp.path() / "q"));

  // The torchrun variables of a world of 2, without a launcher: the trainer is refused before
  // any rendezvous is tried.
  const auto torchrun = run_wei({"run", quickstart, "--out", "t"}, tmp.path(),
                                {{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", "1"}});
  CHECK(torchrun.exit_code == 2);
  CHECK_THAT(torchrun.err, Catch::Contains("runs in one process"));
  CHECK_FALSE(fs::exists(tmp.path() / "t"));

  const auto bad_rank = run_wei({"run", quickstart, "--out", "b"}, tmp.path(), {{"RANK", "2"}, {"WORLD_SIZE", "2"}});
  CHECK(bad_rank.exit_code == 2);
  CHECK_THAT(bad_rank.err, Catch::Contains("RANK='2'"));

  const auto nested = run_wei({"run", quickstart, "--nproc", "2"}, tmp.path(),
                              {{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", "1"}});
  CHECK(nested.exit_code == 2);
  CHECK_THAT(nested.err, Catch::Contains("drop --nproc"));
}

TEST_CASE("a Slurm sweep with several tasks per point runs each point under srun", "[e2e][data_parallel]") {
  wei::testing::TempDir tmp;
  const auto written = run_wei({"sweep", std::string(WEI_SOURCE_DIR) + "/configs/hmm_prompt/quick_h4.yaml", "seed=0,1",
                                "--launcher", "slurm", "--slurm-tasks", "2", "--no-submit", "--out", "sw"},
                               tmp.path());
  INFO(written.err);
  REQUIRE(written.exit_code == 0);
  const std::string script = wei::testing::read_text(tmp.path() / "sw" / "slurm" / "sweep.sbatch");
  CHECK_THAT(script, Catch::Contains("#SBATCH --ntasks=2\n") && Catch::Contains("\nexec srun '"));
}

TEST_CASE("self_training's teacher_student runs on 2 ranks through both phases", "[e2e][data_parallel]") {
  if (!gloo_built()) return;
  wei::testing::TempDir tmp;
  const std::string spec = std::string(WEI_SOURCE_DIR) + "/configs/self_training/cpu_teacher_student_augment_4000.yaml";
  const std::vector<std::string> tiny = {"data.root=''", "data.labels=40", "data.train_size=400", "data.test_size=100",
                                         "model.depth=10", "model.widen=1", "teacher.steps=4", "optim.steps=4",
                                         "optim.batch_size=8", "optim.eval_every=2", "eval.median_of=2",
                                         "theory.expansion_images=20", "theory.expansion_views=2"};
  std::vector<std::string> args = {"run", spec};
  args.insert(args.end(), tiny.begin(), tiny.end());
  args.insert(args.end(), {"--nproc", "2", "--out", "two"});
  const auto two = run_wei(args, tmp.path());
  INFO(two.err);
  REQUIRE(two.exit_code == 0);
  const auto metrics = read_json(tmp.path() / "two" / "metrics.json");
  CHECK(metrics["run"]["world_size"] == 2);
  REQUIRE(metrics["history"].size() == 4);
  CHECK(metrics["history"][1]["phase"] == "teacher");
  CHECK(metrics["history"][3]["phase"] == "student");
  CHECK(metrics["history"][3].contains("consistency_loss"));
  CHECK(metrics["final"]["teacher"]["source"] == "trained in this run");
  CHECK(metrics["final"]["teacher_student"].contains("teacher_errors_corrected"));
}
