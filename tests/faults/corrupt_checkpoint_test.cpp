// Checkpoints are verified before anything is restored: a flipped tensor byte, a changed digit of the
// JSON state, a truncated or padded file are refused with one line naming the file and the problem,
// and the user is told how to go back one epoch with prev.pt.
#include <catch2/catch.hpp>

#include "faults/fault_fixture.h"
#include "support/temp_dir.h"

using namespace wei::faults;
using wei::testing::run_wei;

namespace {

// A run stopped by kill -9 after `epochs` of its 5 epochs, so it is resumable (not finished).
fs::path interrupted_run(const fs::path& cwd, const std::string& out, int epochs) {
  // Writes: config, emptied history, then checkpoint + history line per epoch.
  const std::string write = std::to_string(2 + 2 * epochs + 1) + ":partial";
  const auto crashed = run_wei(short_run(out), cwd, {{"WEI_INJECT_SIGKILL_IN_WRITE", write}});
  REQUIRE(crashed.exit_code == 128 + SIGKILL);
  return cwd / out / "checkpoints" / "last.pt";
}

// Lines that are not log lines ("[hh:mm:ss] info ...").
int error_lines(const std::string& text) {
  std::istringstream in(text);
  int n = 0;
  for (std::string line; std::getline(in, line);) n += !line.empty() && line.front() != '[';
  return n;
}

}  // namespace

TEST_CASE("a corrupt checkpoint is refused in one line, naming the file and what is wrong", "[faults]") {
  wei::testing::TempDir tmp;
  REQUIRE(run_wei(short_run("reference"), tmp.path()).exit_code == 0);
  const std::vector<std::pair<std::string, std::function<std::string(std::string)>>> damages = {
      {"checksum mismatch", [](std::string b) { b[b.size() * 2 / 3] ^= 0x5a; return b; }},  // tensor bytes
      {"checksum mismatch",
       [](std::string b) {  // a digit of the runner's JSON state
         const size_t at = b.find("\"epochs_done\":") + 14;
         REQUIRE(at < b.size());
         b[at] = b[at] == '9' ? '8' : static_cast<char>(b[at] + 1);
         return b;
       }},
      {"truncated checkpoint", [](std::string b) { return b.substr(0, b.size() / 2); }},
      {"64 trailing bytes after the checkpoint", [](std::string b) { return b + std::string(64, '\0'); }},
      {"truncated checkpoint", [](std::string) { return std::string(); }},
      {"not a wei-run checkpoint", [](std::string b) { return std::string(b.size(), 'x'); }},
  };
  int n = 0;
  for (const auto& [problem, damage] : damages) {
    const std::string out = "run" + std::to_string(n++);
    INFO(out << ": " << problem);
    const fs::path last = interrupted_run(tmp.path(), out, 3);
    overwrite_file(last, damage(file_bytes(last)));
    for (const char* flag : {"--continue", "--resume"}) {
      const auto refused = run_wei(with(short_run(out), {flag}), tmp.path());
      INFO(refused.err);
      CHECK(refused.exit_code == 2);
      CHECK_THAT(refused.err, Catch::Contains("error: " + (fs::path(out) / "checkpoints" / "last.pt").string() + ": " +
                                              problem));
      CHECK_THAT(refused.err, !Catch::Contains("frame #"));
      CHECK(error_lines(refused.err) == 1);
      CHECK_THAT(refused.err, Catch::Contains("prev.pt holds the epoch before"));
    }
    // The advice works: go back one epoch, continue, end as the uninterrupted run.
    fs::rename(last.parent_path() / "prev.pt", last);
    const auto resumed = run_wei(with(short_run(out), {"--continue"}), tmp.path());
    INFO(resumed.err);
    REQUIRE(resumed.exit_code == 0);
    CHECK(metrics_differences(tmp.path() / "reference" / "metrics.json", tmp.path() / out / "metrics.json").empty());
  }
}

TEST_CASE("a torn last history line is dropped, with a warning, when the run resumes", "[faults]") {
  wei::testing::TempDir tmp;
  REQUIRE(run_wei(short_run("reference"), tmp.path()).exit_code == 0);
  // Write 8 is the history line of epoch 3: killed half-way through it.
  REQUIRE(run_wei(short_run("torn"), tmp.path(), {{"WEI_INJECT_SIGKILL_IN_WRITE", "8:partial"}}).exit_code ==
          128 + SIGKILL);
  const std::string torn = file_bytes(tmp.path() / "torn" / "history.jsonl");
  REQUIRE(!torn.empty());
  REQUIRE(torn.back() != '\n');
  const auto resumed = run_wei(with(short_run("torn"), {"--continue"}), tmp.path());
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK_THAT(resumed.err, Catch::Contains("history.jsonl did not match the checkpoint"));
  CHECK(file_bytes(tmp.path() / "torn" / "history.jsonl") == file_bytes(tmp.path() / "reference" / "history.jsonl"));
}
