// End-to-end tests of the wei-run binary: the results layout, determinism, resume after SIGINT,
// divergence, refusal to overwrite, and the exit codes of bad input (with nothing written).
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

const std::string kConfigs = std::string(WEI_SOURCE_DIR) + "/configs/label_noise/";

size_t line_count(const fs::path& path) {
  std::ifstream in(path);
  size_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

void write_text(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

// A short label-noise run: 20 history rows of 500 steps.
const std::vector<std::string> kShort = {"optim.steps=10000", "log_every=500", "optim.lr_milestones=[]"};

std::vector<std::string> args_of(std::vector<std::string> head, const std::vector<std::string>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

}  // namespace

TEST_CASE("a run writes config, metrics (schema 1), history, log and checkpoint", "[e2e]") {
  TempDir tmp;
  const auto r = run_wei(args_of({"run", kConfigs + "label_noise.yaml", "--out", "out"}, kShort), tmp.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const fs::path out = tmp.path() / "out";
  for (const char* name : {"config.yaml", "metrics.json", "history.jsonl", "log.txt", "checkpoints/last.pt"}) {
    CHECK(fs::exists(out / name));
  }
  const nlohmann::json m = read_json(out / "metrics.json");
  CHECK(m["schema_version"] == 1);
  CHECK(m["status"] == "ok");
  CHECK(m["error"].is_null());
  for (const char* key : {"id", "started_at", "finished_at", "wall_seconds", "host", "git_commit", "wei_run_version",
                          "torch_version", "device", "threads", "cpu", "argv"}) {
    CHECK(m["run"].contains(key));
  }
  // The processor the timings were measured on, as this machine's /proc/cpuinfo names it.
  CHECK(m["run"]["cpu"]["model"].is_string());
  CHECK(m["run"]["cpu"]["logical_cores"].get<int>() >= 1);
  CHECK(m["run"]["cpu"]["bf16_kernels"].is_string());
  CHECK(m["run"]["device"] == "cpu");
  CHECK(m["run"]["threads"].get<int>() >= 1);
  CHECK(m["spec"]["trainer"] == "label_noise_sgd");
  CHECK(m["spec"]["optim"]["steps"] == 10000);
  CHECK(m["data"]["source"] == "synthetic");
  REQUIRE(m["history"].size() == 20);
  CHECK(m["history"][19]["epoch"] == 20);
  CHECK(m["history"][19]["step"] == 10000);
  CHECK(line_count(out / "history.jsonl") == 20);
  CHECK(m["final"]["test_error"].is_number());
  CHECK(m["best"]["epoch"].is_number());
  // log.txt starts with what was logged before the run directory existed (the device choice).
  std::ifstream log(out / "log.txt");
  std::string first_line;
  std::getline(log, first_line);
  CHECK_THAT(first_line, Catch::Matchers::Contains("device auto: no CUDA device available"));
  // The resolved config reproduces the run: validate it back.
  CHECK(run_wei({"validate", (out / "config.yaml").string()}, tmp.path()).exit_code == 0);
}

TEST_CASE("the default run directory is results/<name>/<timestamp> and never reused", "[e2e]") {
  TempDir tmp;
  const auto args = args_of({"run", kConfigs + "gd.yaml", "name=demo"}, kShort);
  REQUIRE(run_wei(args, tmp.path()).exit_code == 0);
  REQUIRE(run_wei(args, tmp.path()).exit_code == 0);
  size_t runs = 0;
  for (const auto& entry : fs::directory_iterator(tmp.path() / "results" / "demo")) {
    CHECK(fs::exists(entry.path() / "metrics.json"));
    ++runs;
  }
  CHECK(runs == 2);
}

TEST_CASE("two runs of the same spec and seed diff equal, another seed differs", "[e2e]") {
  TempDir tmp;
  const auto base = args_of({"run", kConfigs + "label_noise.yaml"}, kShort);
  REQUIRE(run_wei(args_of(base, {"--out", "a"}), tmp.path()).exit_code == 0);
  REQUIRE(run_wei(args_of(base, {"--out", "b"}), tmp.path()).exit_code == 0);
  REQUIRE(run_wei(args_of(base, {"--out", "c", "seed=1"}), tmp.path()).exit_code == 0);
  const auto same = run_wei({"diff", "a/metrics.json", "b/metrics.json"}, tmp.path());
  CHECK(same.exit_code == 0);
  CHECK(same.out == "equal (ignoring the run block)\n");
  const auto other = run_wei({"diff", "a/metrics.json", "c/metrics.json"}, tmp.path());
  CHECK(other.exit_code == 1);
  CHECK_THAT(other.out, Catch::Contains("final.test_error: "));
  CHECK_THAT(other.out, Catch::Contains("spec.seed: 0 vs 1"));
  CHECK(run_wei({"diff", "a/metrics.json", "b/metrics.json", "--include-run"}, tmp.path()).exit_code == 1);
  CHECK(run_wei({"diff", "a/metrics.json", "missing.json"}, tmp.path()).exit_code == 2);
}

TEST_CASE("SIGINT checkpoints and exits 130, --resume and --continue end equal to an uninterrupted run", "[e2e]") {
  TempDir tmp;
  // ~2M steps: long enough to interrupt partway on any machine.
  const auto base = std::vector<std::string>{"run", kConfigs + "gaussian_noise.yaml", "optim.steps=2000000", "log_every=5000"};
  wei::testing::ChildProcess child(WEI_RUN_BINARY, args_of(base, {"--out", "resumed"}), tmp.path());
  const fs::path history = tmp.path() / "resumed" / "history.jsonl";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (line_count(history) < 5 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  child.send_signal(SIGINT);
  const auto interrupted = child.wait();
  INFO(interrupted.err);
  REQUIRE(interrupted.exit_code == 130);
  const nlohmann::json partial = read_json(tmp.path() / "resumed" / "metrics.json");
  CHECK(partial["status"] == "interrupted");
  const size_t done = partial["history"].size();
  CHECK(done >= 5);
  CHECK(done < 400);
  CHECK(line_count(history) == done);
  CHECK(fs::exists(tmp.path() / "resumed" / "checkpoints" / "last.pt"));

  // Without --resume the unfinished directory is protected; with changed overrides resume is refused.
  CHECK(run_wei(args_of(base, {"--out", "resumed"}), tmp.path()).exit_code == 2);
  const auto changed = run_wei(args_of(base, {"--out", "resumed", "--resume", "seed=3"}), tmp.path());
  CHECK(changed.exit_code == 2);
  CHECK_THAT(changed.err, Catch::Contains("differs from the one this run was started with"));

  // A copy of the interrupted directory is finished by --continue, which resumes it.
  fs::copy(tmp.path() / "resumed", tmp.path() / "continued", fs::copy_options::recursive);
  const auto resumed = run_wei(args_of(base, {"--out", "resumed", "--resume"}), tmp.path());
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  const auto continued = run_wei(args_of(base, {"--out", "continued", "--continue"}), tmp.path());
  INFO(continued.err);
  REQUIRE(continued.exit_code == 0);
  CHECK_THAT(continued.err, Catch::Contains("resuming"));
  REQUIRE(run_wei(args_of(base, {"--out", "straight"}), tmp.path()).exit_code == 0);
  const auto diff = run_wei({"diff", "resumed/metrics.json", "straight/metrics.json"}, tmp.path());
  INFO(diff.out);
  CHECK(diff.exit_code == 0);
  CHECK(run_wei({"diff", "continued/metrics.json", "straight/metrics.json"}, tmp.path()).exit_code == 0);
  CHECK(line_count(history) == 400);
  const nlohmann::json m = read_json(tmp.path() / "resumed" / "metrics.json");
  CHECK(m["run"]["resumed_from_epoch"] == done);
}

TEST_CASE("a non-finite loss ends the run as diverged with its history kept", "[e2e]") {
  TempDir tmp;
  const auto r = run_wei({"run", kConfigs + "gd.yaml", "optim.lr=0.5", "optim.steps=20000", "log_every=1", "--out", "d"},
                         tmp.path());
  CHECK(r.exit_code == 1);
  const nlohmann::json m = read_json(tmp.path() / "d" / "metrics.json");
  CHECK(m["status"] == "diverged");
  CHECK(m["final"]["diverged_at_step"].get<int64_t>() > 0);
  CHECK_THAT(m["error"].get<std::string>(), Catch::Contains("non-finite"));
  CHECK(m["history"].size() == line_count(tmp.path() / "d" / "history.jsonl"));
  // With one step per row, rows exist for every step before the loss became non-finite.
  CHECK(m["history"].size() + 1 == static_cast<size_t>(m["final"]["diverged_at_step"].get<int64_t>()));
}

TEST_CASE("a finished run directory is only overwritten with --force", "[e2e]") {
  TempDir tmp;
  const auto args = args_of({"run", kConfigs + "gd.yaml", "--out", "o"}, kShort);
  REQUIRE(run_wei(args, tmp.path()).exit_code == 0);
  write_text(tmp.path() / "o" / "notes.txt", "mine");
  const auto again = run_wei(args, tmp.path());
  CHECK(again.exit_code == 2);
  CHECK_THAT(again.err, Catch::Contains("holds a finished run (status 'ok')"));
  CHECK(run_wei(args_of(args, {"--force"}), tmp.path()).exit_code == 0);
  CHECK(fs::exists(tmp.path() / "o" / "notes.txt"));  // --force only replaces the run's own files
}

TEST_CASE("run with --continue keeps a finished run, starts a leftover over and refuses another spec", "[e2e]") {
  TempDir tmp;
  const auto args = args_of({"run", kConfigs + "gd.yaml", "--out", "o", "--continue"}, kShort);
  REQUIRE(run_wei(args, tmp.path()).exit_code == 0);  // an empty directory: a fresh run
  const std::string first = read_json(tmp.path() / "o" / "metrics.json").dump();
  const auto kept = run_wei(args, tmp.path());
  CHECK(kept.exit_code == 0);
  CHECK_THAT(kept.err, Catch::Contains("already holds a finished run (status ok); kept"));
  CHECK(read_json(tmp.path() / "o" / "metrics.json").dump() == first);  // not rerun: same finished_at
  const auto other = run_wei(args_of(args, {"optim.lr=0.02"}), tmp.path());
  CHECK(other.exit_code == 2);
  CHECK_THAT(other.err, Catch::Contains("differs from the one this run was started with; continue it"));

  // Diverging is a result: kept, and reported with exit code 1 every time.
  const auto diverging = std::vector<std::string>{"run", kConfigs + "gd.yaml", "optim.lr=0.5", "optim.steps=20000",
                                                  "log_every=1000", "--out", "d", "--continue"};
  CHECK(run_wei(diverging, tmp.path()).exit_code == 1);
  const std::string diverged = read_json(tmp.path() / "d" / "metrics.json").dump();
  CHECK(run_wei(diverging, tmp.path()).exit_code == 1);
  CHECK(read_json(tmp.path() / "d" / "metrics.json").dump() == diverged);

  // A run killed before its first checkpoint leaves files but nothing to resume: started over.
  fs::create_directories(tmp.path() / "k");
  write_text(tmp.path() / "k" / "config.yaml", "left over\n");
  const auto restarted = run_wei(args_of({"run", kConfigs + "gd.yaml", "--out", "k", "--continue"}, kShort), tmp.path());
  INFO(restarted.err);
  CHECK(restarted.exit_code == 0);
  CHECK(read_json(tmp.path() / "k" / "metrics.json")["status"] == "ok");
}

TEST_CASE("a key the chosen method does not read warns and is recorded, and --strict refuses it with exit 2", "[e2e]") {
  TempDir tmp;
  const std::string quickstart = std::string(WEI_SOURCE_DIR) + "/configs/quickstart.yaml";
  const auto r = run_wei(args_of({"run", quickstart, "method=gd", "--out", "gd"}, kShort), tmp.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("warn") &&
                        Catch::Contains("quickstart.yaml:15:10: noise.delta: ignored, not read when method is gd"));
  const nlohmann::json m = read_json(tmp.path() / "gd" / "metrics.json");
  CHECK(m["status"] == "ok");
  REQUIRE(m["spec_warnings"].size() == 1);
  CHECK_THAT(m["spec_warnings"][0].get<std::string>(), Catch::Contains("noise.delta: ignored"));
  CHECK(m["spec"]["method"] == "gd");
  CHECK_FALSE(m["spec"].contains("noise"));
  // Written to log.txt as well.
  std::ifstream log(tmp.path() / "gd" / "log.txt");
  const std::string log_text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  CHECK_THAT(log_text, Catch::Contains("noise.delta: ignored"));

  const auto strict = run_wei(args_of({"run", quickstart, "method=gd", "--out", "strict", "--strict"}, kShort),
                              tmp.path());
  CHECK(strict.exit_code == 2);
  CHECK_THAT(strict.err, Catch::Contains("quickstart.yaml:15:10: noise.delta: not read when method is gd"));
  CHECK_FALSE(fs::exists(tmp.path() / "strict"));
  const auto validated = run_wei({"validate", quickstart, "method=gd", "--strict"}, tmp.path());
  CHECK(validated.exit_code == 2);
  const auto lenient = run_wei({"validate", quickstart, "method=gd"}, tmp.path());
  CHECK(lenient.exit_code == 0);
  CHECK_THAT(lenient.err, Catch::Contains("warning: ") && Catch::Contains("noise.delta: ignored"));

  // A key that no trainer declares stays an error without --strict.
  const auto typo = run_wei(args_of({"run", quickstart, "noise.dleta=1", "--out", "typo"}, kShort), tmp.path());
  CHECK(typo.exit_code == 2);
}

TEST_CASE("a renamed key names its new name", "[e2e]") {
  TempDir tmp;
  const auto r = run_wei({"validate", kConfigs + "label_noise.yaml", "optim.lr_decay=0.5"}, tmp.path());
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("optim.lr_decay") && Catch::Contains("renamed to 'optim.lr_gamma'"));
}
