#pragma once
// Runs the wei-run binary as a child process, as users and scripts do, capturing its output.
#include <sys/types.h>

#include <filesystem>
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
  // Starts `binary args...` in `cwd` with stdout/stderr redirected to files in `cwd`.
  ChildProcess(const std::string& binary, const std::vector<std::string>& args, const std::filesystem::path& cwd);
  void send_signal(int signal) const;
  ProcessResult wait();

 private:
  pid_t pid_;
  std::filesystem::path out_path_;
  std::filesystem::path err_path_;
};

ProcessResult run_wei(const std::vector<std::string>& args, const std::filesystem::path& cwd);

}  // namespace wei::testing
