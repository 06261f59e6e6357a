#pragma once
// Shared pieces of the fault-injection suite (tests/faults/): short runs of the real binary with
// faults injected (base/fault_injection.h seams, signals, corrupted files), compared with the same
// run undisturbed.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "results/json_diff.h"
#include "support/json_file.h"
#include "support/process.h"

namespace wei::faults {

namespace fs = std::filesystem;

inline const std::string kQuickstart = std::string(WEI_SOURCE_DIR) + "/configs/quickstart.yaml";

// A label-noise run of `epochs` history rows of 1,000 steps each (milliseconds per row).
inline std::vector<std::string> short_run(const std::string& out, int epochs = 5) {
  return {"run", kQuickstart, "optim.steps=" + std::to_string(epochs * 1000), "log_every=1000",
          "optim.lr_milestones=[]", "threads=1", "--out", out};
}

inline std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// The differences between two metrics.json files outside the volatile run block.
inline std::vector<JsonDifference> metrics_differences(const fs::path& a, const fs::path& b) {
  return json_diff(testing::read_json(a), testing::read_json(b), {}, {"run"});
}

inline std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void overwrite_file(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// Temporary files a writer left behind (".<name>.tmp.<pid>") anywhere below `dir`.
inline int temp_files_below(const fs::path& dir) {
  int n = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.path().filename().string().find(".tmp.") != std::string::npos) ++n;
  }
  return n;
}

// Waits up to `seconds` for `done()`.
template <typename Done>
bool wait_for(Done done, double seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

inline bool process_alive(pid_t pid) { return pid > 0 && ::kill(pid, 0) == 0; }

// The pid a lock file names ("pid N: ..."), 0 when there is none.
inline pid_t lock_holder(const fs::path& dir) {
  std::ifstream in(dir / ".wei-run.lock");
  std::string word;
  long pid = 0;
  in >> word >> pid;
  return word == "pid" ? static_cast<pid_t>(pid) : 0;
}

}  // namespace wei::faults
