#include "run/worker_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "base/errors.h"
#include "base/exit_codes.h"
#include "base/stop_signals.h"

namespace wei {

pid_t start_worker(const WorkerSpec& worker) {
  // Everything the child needs is prepared before fork: it only calls async-signal-safe functions
  // (and setenv) before exec.
  std::vector<std::string> args = worker.argv;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const sigset_t stop_signals = stop_signal_set();
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw RunError("cannot start a worker process: " + std::string(std::strerror(errno)));
  if (pid != 0) return pid;

  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) _exit(kExitInterrupted);  // the parent died before the line above: stop as asked
  sigprocmask(SIG_BLOCK, &stop_signals, nullptr);
  if (worker.log) {
    const int fd = ::open(worker.log->c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
    }
  }
  for (const auto& [name, value] : worker.env) setenv(name.c_str(), value.c_str(), 1);
  execv(worker.binary.c_str(), argv.data());
  const char message[] = "wei-run: cannot start a worker process\n";
  (void)!::write(STDERR_FILENO, message, sizeof(message) - 1);
  _exit(127);
}

}  // namespace wei
