#pragma once
// Starting a worker process of wei-run itself, as `sweep` does for its points and `run --nproc`
// for its ranks. The worker:
//   - lives in a process group of its own, so a terminal's Ctrl-C reaches the parent only, which
//     forwards it;
//   - gets SIGTERM when its parent dies (kill -9 included), so it never outlives it (it stops
//     cleanly, keeping its checkpoint);
//   - holds the stop signals pending until its run installs its handlers, so a stop forwarded
//     while it starts stops it cleanly rather than killing it.
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace wei {

struct WorkerSpec {
  std::string binary;             // the executable; "/proc/self/exe" is this one
  std::vector<std::string> argv;  // argv[0] included
  std::vector<std::pair<std::string, std::string>> env;  // added to this process's environment
  std::optional<std::filesystem::path> log;  // stdout and stderr appended there; else inherited
};

// Throws RunError when the process cannot be created.
pid_t start_worker(const WorkerSpec& worker);

}  // namespace wei
