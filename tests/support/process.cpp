#include "support/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace wei::testing {

namespace {
std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

ChildProcess::ChildProcess(const std::string& binary, const std::vector<std::string>& args,
                           const std::filesystem::path& cwd, const Environment& env) {
  const std::string tag = std::to_string(std::random_device{}());
  out_path_ = cwd / (".child-" + tag + ".out");
  err_path_ = cwd / (".child-" + tag + ".err");
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    if (chdir(cwd.c_str()) != 0) _exit(127);
    for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
    const int out = open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(binary.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
}

void ChildProcess::send_signal(int signal) const { kill(pid_, signal); }

bool ChildProcess::finished() {
  if (status_) return true;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return false;
  status_ = status;
  return true;
}

ProcessResult ChildProcess::wait() {
  int status = 0;
  if (status_) {
    status = *status_;
  } else {
    waitpid(pid_, &status, 0);
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  ProcessResult result{code, slurp(out_path_), slurp(err_path_)};
  std::filesystem::remove(out_path_);
  std::filesystem::remove(err_path_);
  return result;
}

ProcessResult run_wei(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                      const ChildProcess::Environment& env) {
  return ChildProcess(WEI_RUN_BINARY, args, cwd, env).wait();
}

}  // namespace wei::testing
