#include "run/local_launcher.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <iostream>
#include <thread>

#include "base/errors.h"
#include "base/exit_codes.h"
#include "run/worker_process.h"

namespace wei {

namespace {

volatile std::sig_atomic_t g_pending_signal = 0;

void note_signal(int signal) { g_pending_signal = signal; }

// The launcher's handlers for its lifetime: signals are noted, then forwarded by the wait loop.
class ForwardedSignals {
 public:
  ForwardedSignals() {
    g_pending_signal = 0;
    struct sigaction action {};
    action.sa_handler = note_signal;
    sigemptyset(&action.sa_mask);
    for (int i = 0; i < 3; ++i) sigaction(kSignals[i], &action, &previous_[i]);
  }
  ~ForwardedSignals() {
    for (int i = 0; i < 3; ++i) sigaction(kSignals[i], &previous_[i], nullptr);
  }
  static constexpr int kSignals[3] = {SIGINT, SIGTERM, SIGUSR1};

 private:
  struct sigaction previous_[3];
};

struct Worker {
  pid_t pid = -1;
  bool done = false;
  int status = 0;  // waitpid status once done
};

bool failed_by_itself(int status) {
  return WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != kExitOk && WEXITSTATUS(status) != kExitInterrupted);
}

std::string describe(int status) {
  if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
  return "exited with status " + std::to_string(WEXITSTATUS(status));
}

}  // namespace

int free_local_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw RunError(std::string("cannot open a socket to find a free port: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    throw RunError(std::string("cannot find a free port on 127.0.0.1: ") + std::strerror(errno));
  }
  close(fd);
  return ntohs(address.sin_port);
}

int launch_local_workers(const LocalLaunch& launch) {
  const int port = free_local_port();
  const ForwardedSignals signals;
  std::vector<Worker> workers(static_cast<size_t>(launch.nproc));
  for (int rank = 0; rank < launch.nproc; ++rank) {
    WorkerSpec worker;
    worker.binary = "/proc/self/exe";
    worker.argv = {"wei-run"};
    worker.argv.insert(worker.argv.end(), launch.worker_args.begin(), launch.worker_args.end());
    worker.env = {{"RANK", std::to_string(rank)},
                  {"WORLD_SIZE", std::to_string(launch.nproc)},
                  {"LOCAL_RANK", std::to_string(rank)},
                  {"LOCAL_WORLD_SIZE", std::to_string(launch.nproc)},
                  {"MASTER_ADDR", "127.0.0.1"},
                  {"MASTER_PORT", std::to_string(port)}};
    try {
      workers[static_cast<size_t>(rank)].pid = start_worker(worker);
    } catch (const RunError&) {
      for (const auto& w : workers) {
        if (w.pid > 0) kill(w.pid, SIGKILL);
      }
      throw;
    }
  }

  using Clock = std::chrono::steady_clock;
  bool kill_pending = false;
  Clock::time_point kill_at;
  size_t running = workers.size();
  while (running > 0) {
    if (const int signal = g_pending_signal; signal != 0) {
      g_pending_signal = 0;
      for (const auto& w : workers) {
        if (!w.done) kill(w.pid, signal);
      }
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      for (size_t rank = 0; rank < workers.size(); ++rank) {
        Worker& w = workers[rank];
        if (w.pid != pid) continue;
        w.done = true;
        w.status = status;
        --running;
        if (failed_by_itself(status) && running > 0 && !kill_pending) {
          std::cerr << "wei-run: worker " << rank << " " << describe(status) << "; the other " << running
                    << " stop on their next collective, or are killed in " << launch.grace.count() << " s\n";
          kill_pending = true;
          kill_at = Clock::now() + launch.grace;
        }
      }
      continue;
    }
    if (kill_pending && Clock::now() >= kill_at) {
      for (size_t rank = 0; rank < workers.size(); ++rank) {
        if (workers[rank].done) continue;
        std::cerr << "wei-run: worker " << rank << " still running " << launch.grace.count() << " s after another "
                  << "failed; killing it\n";
        kill(workers[rank].pid, SIGKILL);
      }
      kill_pending = false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  bool all_ok = true;
  for (const auto& w : workers) all_ok = all_ok && WIFEXITED(w.status) && WEXITSTATUS(w.status) == 0;
  if (all_ok) return 0;
  const int rank0 = workers[0].status;
  if (WIFEXITED(rank0) && WEXITSTATUS(rank0) != 0) return WEXITSTATUS(rank0);
  return 1;
}

}  // namespace wei
