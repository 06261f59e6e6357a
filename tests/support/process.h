#pragma once
// Runs the wei-run binary as a child process, as users and scripts do, capturing its output.
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <utility>
#include <string>
#include <vector>

namespace wei::testing {

struct ProcessResult {
  int exit_code;  // 128 + signal number when killed by a signal
  std::string out;
  std::string err;
};

class ChildProcess {
 public:
  using Environment = std::vector<std::pair<std::string, std::string>>;
  // Starts `binary args...` in `cwd` with stdout/stderr redirected to files in `cwd`, with `env`
  // added to this process's environment.
  ChildProcess(const std::string& binary, const std::vector<std::string>& args, const std::filesystem::path& cwd,
               const Environment& env = {});
  void send_signal(int signal) const;
  pid_t pid() const { return pid_; }
  // True once the child has ended (its exit status is kept for wait()).
  bool finished();
  ProcessResult wait();

 private:
  pid_t pid_;
  std::optional<int> status_;
  std::filesystem::path out_path_;
  std::filesystem::path err_path_;
};

ProcessResult run_wei(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                      const ChildProcess::Environment& env = {});

}  // namespace wei::testing
